import Foundation

/// `rolecall validate`.
public struct ValidateRequest: Sendable {
    public var folder = "."
    /// Every warning becomes an error.
    public var strict = false
    public var format: OutputFormat = .text
    public var color = false
    public var now = Date()
    public var reading = ReadOptions()

    public init() {}
}

extension Commands {
    /// Reads and validates the manifests; the report (in the asked format) is the output. Exit 1 when invalid.
    public static func validate(_ request: ValidateRequest) -> CommandResult {
        var loader = ManifestLoader(now: request.now)
        loader.reading = request.reading
        let result = loader.load(request.folder)
        let report = ValidationReport(result, strict: request.strict)
        let output = DiagnosticsRenderer(format: request.format, color: request.color).render(report)
        return CommandResult(output: output, exitCode: report.isValid ? 0 : 1, retained: [result, report])
    }
}
