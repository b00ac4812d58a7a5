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

/// Reads manifests from disk and validates them: files -> YAML trees -> declarations -> model.
///
/// YAML that cannot be read stops early (every unreadable file is still reported); once every
/// file reads, decoding and validation collect every problem in one pass.
public struct ManifestLoader: Sendable {
    public var reader = YAMLReader()
    /// The instant expiries are compared with (a past expiry is a warning).
    public var now: Date
    /// How many files are read at once (default: one per core).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// File size limit and symbolic links (`--max-file-size`, `--follow-symlinks`).
    public var reading = ReadOptions()

    public init(now: Date) {
        self.now = now
    }

    /// Reads every manifest under `folder` (or the single file `folder` names).
    public func load(_ folder: String) -> LoadResult {
        load(folder, alongside: {}, deriving: { _ in () }).result
    }

    /// Reads every manifest under `folder`, with two more pieces of work that a plan needs next:
    /// `alongside` runs with the file reads, as one more of them (the state file), and `derive` runs
    /// on the model while it is being checked (the desired state). The derived value is returned
    /// only when the manifests are valid.
    public func load<A: Sendable, T: Sendable>(_ folder: String, alongside: () -> A,
                                               deriving derive: (Manifest) -> T) -> (result: LoadResult, alongside: A, derived: T?) {
        let found = ManifestFiles.find(in: folder, followSymlinks: reading.followSymlinks)
        var diagnostics = found.diagnostics
        // Files are read and decoded independently, side by side, largest first; merging and
        // validation then see all of them. The other piece of work comes second: it is about as
        // large as the largest file, and starts beside it.
        let sizes = found.paths.map { path -> Int in
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : 0
        }
        var jobs: [Int?] = found.paths.indices.sorted { sizes[$0] > sizes[$1] }
        jobs.insert(nil, at: min(1, jobs.count))
        var outcomes = parallelMap(jobs.count, width: threads) { n -> Outcome<A> in
            guard let file = jobs[n] else { return .other(alongside()) }
            return .file(file, readAndDecode(found.paths[file]))
        }
        var decoded = Array(repeating: Decoded(), count: found.paths.count)
        var other: A?
        for outcome in outcomes {
            switch outcome {
            case let .file(n, .success(file)): decoded[n] = file
            case let .file(_, .failure(error)): diagnostics.append(error.diagnostic)
            case let .other(value): other = value
            }
        }
        outcomes = []
        guard let other else { preconditionFailure("parallelMap skipped a job") }
        if diagnostics.hasErrors {
            return (LoadResult(manifest: nil, diagnostics: diagnostics.sortedForOutput(), files: found.paths), other, nil)
        }
        var (result, derived) = validate(&decoded, deriving: derive)
        result.files = found.paths
        return (result, other, derived)
    }

    /// What one job of `load` produced: a file read and decoded, or the other piece of work.
    private enum Outcome<Other: Sendable>: Sendable {
        case file(Int, Result<Decoded, YAMLError>)
        case other(Other)
    }

    /// One file's documents, decoded, with the problems decoding found.
    struct Decoded: Sendable {
        var declarations: [DocumentDeclarations] = []
        var diagnostics: [Diagnostic] = []
        var omitted = OmittedDiagnostics()
    }

    private func decode(_ documents: [YAMLDocument]) -> Decoded {
        let sink = DiagnosticSink()
        let declarations = documents.compactMap { DocumentDecoder(document: $0, sink: sink).decode() }
        return Decoded(declarations: declarations, diagnostics: sink.diagnostics, omitted: sink.omitted)
    }

    /// Reads and decodes one file's text. The items of top-level lists are decoded while the text is
    /// read (see `ListItems`); the rest of each document when it ends. Same outcome as `read` and then
    /// `validate(_:)`'s decoding, in less time and memory.
    func decode(_ bytes: [UInt8], file: String) -> Result<Decoded, YAMLError> {
        var items = ListItems(file: file)
        return reader.read(bytes, file: file, items: &items).map { documents in
            let sink = DiagnosticSink()
            var declarations: [DocumentDeclarations] = []
            for (index, document) in documents.enumerated() {
                var taken = items.removeItems(of: index)
                if let declared = DocumentDecoder(document: document, sink: sink).decode(taking: &taken) {
                    declarations.append(declared)
                }
            }
            return Decoded(declarations: declarations, diagnostics: sink.diagnostics, omitted: sink.omitted)
        }
    }

    private func readAndDecode(_ path: String) -> Result<Decoded, YAMLError> {
        readBytes(path).flatMap { decode($0, file: path) }
    }

    /// Reads one file into YAML documents.
    public func read(_ path: String) -> Result<[YAMLDocument], YAMLError> {
        readBytes(path).flatMap { reader.read($0, file: path) }
    }

    private func readBytes(_ path: String) -> Result<[UInt8], YAMLError> {
        readFile(path, maxSize: reading.maxFileSize).mapError { failure in
            // `Permission denied` reads as `permission denied` inside the sentence; "FIFO" stays as it is.
            YAMLError(message: "cannot read file: \(failure.reason.prefix(1).lowercased() + failure.reason.dropFirst())",
                      location: SourceLocation(file: path, line: 1, column: 1), notes: [])
        }
    }

    /// Validates documents that were already read (also used by tests with in-memory YAML).
    public func validate(_ documents: [YAMLDocument]) -> LoadResult {
        var files = [decode(documents)]
        return validate(&files, deriving: { _ in () }).result
    }

    /// Validates files given as their text (path, bytes), read as `load` reads files from disk: a
    /// file that is not YAML stops it after every such file is reported.
    public func validate(files: [(path: String, bytes: [UInt8])]) -> LoadResult {
        var decoded: [Decoded] = []
        var unreadable: [Diagnostic] = []
        for file in files {
            switch decode(file.bytes, file: file.path) {
            case let .success(one): decoded.append(one)
            case let .failure(error): unreadable.append(error.diagnostic)
            }
        }
        if !unreadable.isEmpty {
            return LoadResult(manifest: nil, diagnostics: unreadable.sortedForOutput(), files: files.map(\.path))
        }
        var (result, _) = validate(&decoded, deriving: { _ in () })
        result.files = files.map(\.path)
        return result
    }

    /// Moves the declarations out of `files` into the model (see `Validator.validate`).
    private func validate<T: Sendable>(_ files: inout [Decoded], deriving derive: (Manifest) -> T) -> (result: LoadResult, derived: T?) {
        let sink = DiagnosticSink()
        for file in files {
            sink.append(contentsOf: file.diagnostics)
            sink.omit(file.omitted)
        }
        var declarations = files.flatMap(\.declarations)
        files = []
        let (manifest, derived) = Validator(now: now, sink: sink).validate(&declarations, deriving: derive)
        let diagnostics = sink.diagnostics.sortedForOutput()
        let valid = !sink.hasErrors
        return (LoadResult(manifest: valid ? manifest : nil, diagnostics: diagnostics, files: [], omitted: sink.omitted),
                valid ? derived : nil)
    }
}
