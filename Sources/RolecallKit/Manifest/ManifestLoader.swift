import Foundation

/// The outcome of reading and validating manifests: a model when there is no error, and every
/// diagnostic found, sorted for output.
public struct LoadResult: Sendable {
    public var manifest: Manifest?
    public var diagnostics: [Diagnostic]
    /// The files read, in order.
    public var files: [String]
}

/// Reads manifests from disk and validates them: files -> YAML trees -> declarations -> model.
///
/// YAML that cannot be read stops early (every unreadable file is still reported); once every
/// file reads, decoding and validation collect every problem in one pass.
public struct ManifestLoader: Sendable {
    public var reader = YAMLReader()
    /// The instant expiries are compared with (a past expiry is a warning).
    public var now: Date

    public init(now: Date) {
        self.now = now
    }

    /// Reads every manifest under `folder` (or the single file `folder` names).
    public func load(_ folder: String) -> LoadResult {
        let found = ManifestFiles.find(in: folder)
        var diagnostics = found.diagnostics
        // Files are read and decoded independently, side by side, largest first; merging and
        // validation then see all of them.
        let sizes = found.paths.map { path -> Int in
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : 0
        }
        let order = found.paths.indices.sorted { sizes[$0] > sizes[$1] }
        let outcomes = parallelMap(order.count) { n -> Result<Decoded, YAMLError> in
            read(found.paths[order[n]]).map(decode)
        }
        var decoded = Array(repeating: Decoded(), count: found.paths.count)
        for (n, outcome) in outcomes.enumerated() {
            switch outcome {
            case let .success(file): decoded[order[n]] = file
            case let .failure(error): diagnostics.append(error.diagnostic)
            }
        }
        if diagnostics.hasErrors {
            return LoadResult(manifest: nil, diagnostics: diagnostics.sortedForOutput(), files: found.paths)
        }
        var result = validate(decoded)
        result.files = found.paths
        return result
    }

    /// One file's documents, decoded, with the problems decoding found.
    struct Decoded: Sendable {
        var declarations: [DocumentDeclarations] = []
        var diagnostics: [Diagnostic] = []
    }

    private func decode(_ documents: [YAMLDocument]) -> Decoded {
        let sink = DiagnosticSink()
        let declarations = documents.compactMap { DocumentDecoder(document: $0, sink: sink).decode() }
        return Decoded(declarations: declarations, diagnostics: sink.diagnostics)
    }

    /// Reads one file into YAML documents.
    public func read(_ path: String) -> Result<[YAMLDocument], YAMLError> {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = access(path, R_OK) == 0 ? "it cannot be opened" : String(cString: strerror(errno))
            return .failure(YAMLError(message: "cannot read file: \(reason.lowercased())", location: start, notes: []))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            return .failure(YAMLError(message: "cannot read file: \(ManifestFiles.reason(error))", location: start, notes: []))
        }
        return reader.read([UInt8](data), file: path)
    }

    /// Validates documents that were already read (also used by tests with in-memory YAML).
    public func validate(_ documents: [YAMLDocument]) -> LoadResult {
        validate([decode(documents)])
    }

    private func validate(_ files: [Decoded]) -> LoadResult {
        let sink = DiagnosticSink()
        for file in files { sink.append(contentsOf: file.diagnostics) }
        let manifest = Validator(now: now, sink: sink).validate(files.flatMap(\.declarations))
        let diagnostics = sink.diagnostics.sortedForOutput()
        return LoadResult(manifest: diagnostics.hasErrors ? nil : manifest, diagnostics: diagnostics, files: [])
    }
}
