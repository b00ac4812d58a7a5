import Foundation

/// The outcome of reading and validating manifests: a model when there is no error, and every
/// diagnostic found, sorted for output.
public struct LoadResult: Sendable {
    public var manifest: Manifest?
    public var diagnostics: [Diagnostic]
    /// The files read, in order.
    public var files: [String]
    /// Found beyond the diagnostics listed (see `DiagnosticSink.limit`).
    public var omitted = OmittedDiagnostics()
}

/// The validation stage: what was read -> a checked model, with every diagnostic. Pure: no I/O,
/// no clock (`now` is what past expiries are compared with).
public enum Validation {
    /// Merges every org's documents and checks them as a whole. A source that could not be read
    /// whole is not checked: its diagnostics are the outcome.
    public static func validate(_ source: consuming ManifestSource, now: Date) -> LoadResult {
        merge(source, now: now).checked()
    }

    /// Merging done, checks to come: `Workflow.plan` builds the desired state from the model while
    /// `checked()` runs.
    struct Merged {
        /// nil when the source could not be read whole.
        let manifest: Manifest?
        let files: [String]
        fileprivate let validator: Validator
        fileprivate let stopped: [Diagnostic]
        fileprivate var stoppedOmitted = OmittedDiagnostics()

        /// Whether merging found no error (the model may then go on while it is checked).
        var mayProceed: Bool { manifest != nil && !validator.sink.hasErrors }

        /// Runs the checks (once) and gives the outcome.
        func checked() -> LoadResult {
            guard let manifest else {
                return LoadResult(manifest: nil, diagnostics: stopped.sortedForOutput(), files: files, omitted: stoppedOmitted)
            }
            validator.check(manifest)
            let diagnostics = validator.sink.diagnostics.sortedForOutput()
            return LoadResult(manifest: validator.sink.hasErrors ? nil : manifest, diagnostics: diagnostics, files: files,
                              omitted: validator.sink.omitted)
        }
    }

    /// The first half of `validate`: the documents merged into a model.
    static func merge(_ source: consuming ManifestSource, now: Date) -> Merged {
        let validator = Validator(now: now, sink: DiagnosticSink())
        guard source.isComplete else {
            return Merged(manifest: nil, files: source.files, validator: validator, stopped: source.diagnostics,
                          stoppedOmitted: source.omitted)
        }
        validator.sink.append(contentsOf: source.diagnostics)
        validator.sink.omit(source.omitted)
        let manifest = validator.merge(&source.declarations)
        return Merged(manifest: manifest, files: source.files, validator: validator, stopped: [])
    }
}
