import Foundation

/// What reading manifests found, before validation: every document's declarations, and the
/// problems reading and decoding them found.
public struct ManifestSource: Sendable {
    /// The files read, in order.
    public var files: [String]
    /// Files that could not be found or read, YAML that does not parse (then `isComplete` is false
    /// and only these are listed), and shape and format problems found decoding documents.
    public var diagnostics: [Diagnostic]
    /// Whether every file was read as YAML; when not, nothing further is checked.
    public var isComplete: Bool
    /// Every document's declarations, in file order.
    var declarations: [DocumentDeclarations]
    /// Found beyond the diagnostics listed (see `DiagnosticSink.limit`).
    public var omitted = OmittedDiagnostics()
}

/// Reads manifests: files -> YAML trees -> declarations (`read(folder:)`, the first stage). It
/// touches nothing but the manifest files. `load` and `validate` add the next stage, `Validation`,
/// for callers that want both.
public struct ManifestLoader: Sendable {
    public var reader = YAMLReader()
    /// The instant expiries are compared with when validating (a past expiry is a warning).
    public var now: Date
    /// How many files are read at once (default: one per core).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// File size limit and symbolic links (`--max-file-size`, `--follow-symlinks`).
    public var reading = ReadOptions()
    /// Files of at least twice this many bytes may be read in pieces, when `threads` is above 1 (see
    /// `FilePieces`; the tests and the fuzz target make it small, to cut small texts in many places).
    public var pieceSize = FilePieces.minimumSize

    public init(now: Date) {
        self.now = now
    }

    /// Reads and validates every manifest under `folder` (or the single file `folder` names).
    public func load(_ folder: String) -> LoadResult {
        Validation.validate(read(folder: folder), now: now)
    }

    /// Reads every manifest under `folder` (or the single file `folder` names) into declarations.
    /// YAML that cannot be read stops it (every unreadable file is still reported).
    public func read(folder: String) -> ManifestSource {
        let found = ManifestFiles.find(in: folder, followSymlinks: reading.followSymlinks, exclude: reading.exclude)
        var diagnostics = found.diagnostics
        // Files are read and decoded independently, side by side, largest first; unreadable ones are
        // reported in that order.
        let sizes = found.paths.map { path -> Int in
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : 0
        }
        let texts = parallelMap(found.paths.count, width: threads) { readBytes(found.paths[$0]) }
        var outcomes = decode(texts, paths: found.paths)
        var decoded = Array(repeating: Decoded(), count: found.paths.count)
        for file in found.paths.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            switch outcomes[file] {
            case let .success(one): decoded[file] = one
            case let .failure(error): diagnostics.append(error.diagnostic)
            }
        }
        outcomes = []
        if diagnostics.hasErrors {
            return ManifestSource(files: found.paths, diagnostics: diagnostics, isComplete: false, declarations: [])
        }
        return Self.source(&decoded, files: found.paths)
    }

    /// The declarations and diagnostics of decoded files, moved out of them.
    private static func source(_ decoded: inout [Decoded], files: [String]) -> ManifestSource {
        let diagnostics = decoded.flatMap(\.diagnostics)
        let declarations = decoded.flatMap(\.declarations)
        var omitted = OmittedDiagnostics()
        for file in decoded {
            omitted.errors += file.omitted.errors
            omitted.warnings += file.omitted.warnings
        }
        decoded = []
        return ManifestSource(files: files, diagnostics: diagnostics, isComplete: true, declarations: declarations,
                              omitted: omitted)
    }

    /// One file's documents, decoded, with the problems decoding found.
    struct Decoded: Sendable {
        var declarations: [DocumentDeclarations] = []
        var diagnostics: [Diagnostic] = []
        var omitted = OmittedDiagnostics()
    }

    /// Reads and decodes one file's text, whole. The items of top-level lists are decoded while the
    /// text is read (see `ListItems`); the rest of each document when it ends. Same outcome as `read`
    /// and then `read(documents:)`'s decoding, in less time and memory.
    func decode(_ bytes: [UInt8], file: String) -> Result<Decoded, YAMLError> {
        var items = ListItems(file: file, textSize: bytes.count)
        return reader.read(bytes, file: file, items: &items).map { Self.decoded($0, items: items.removeAll()) }
    }

    /// Decodes documents whose list items were taken while they were read (`items`, by document index;
    /// none for trees read whole).
    static func decoded(_ documents: [YAMLDocument], items: [DecodedItems]) -> Decoded {
        var items = items
        let sink = DiagnosticSink()
        var declarations: [DocumentDeclarations] = []
        for (index, document) in documents.enumerated() {
            var taken = DecodedItems()
            if index < items.count { swap(&taken, &items[index]) }
            if let declared = DocumentDecoder(document: document, sink: sink).decode(taking: &taken) {
                declarations.append(declared)
            }
        }
        return Decoded(declarations: declarations, diagnostics: sink.diagnostics, omitted: sink.omitted)
    }

    /// Reads one file into YAML documents.
    public func read(_ path: String) -> Result<[YAMLDocument], YAMLError> {
        readBytes(path).flatMap { reader.read($0, file: path) }
    }

    func readBytes(_ path: String) -> Result<[UInt8], YAMLError> {
        readFile(path, maxSize: reading.maxFileSize).mapError { failure in
            // `Permission denied` reads as `permission denied` inside the sentence; "FIFO" stays as it is.
            YAMLError(code: .unreadableFile, message: "cannot read file: \(failure.reason.prefix(1).lowercased() + failure.reason.dropFirst())",
                      location: SourceLocation(file: path, line: 1, column: 1), notes: [])
        }
    }

    /// Reads documents that were already parsed (also used by tests with in-memory YAML).
    public func read(documents: [YAMLDocument]) -> ManifestSource {
        var files = [Self.decoded(documents, items: [])]
        return Self.source(&files, files: [])
    }

    /// Reads files given as their text (path, bytes), as `read(folder:)` reads files from disk: a
    /// file that is not YAML stops it after every such file is reported.
    public func read(files: [(path: String, bytes: [UInt8])]) -> ManifestSource {
        var decoded: [Decoded] = []
        var unreadable: [Diagnostic] = []
        for outcome in decode(files.map { .success($0.bytes) }, paths: files.map(\.path)) {
            switch outcome {
            case let .success(one): decoded.append(one)
            case let .failure(error): unreadable.append(error.diagnostic)
            }
        }
        if !unreadable.isEmpty {
            return ManifestSource(files: files.map(\.path), diagnostics: unreadable, isComplete: false, declarations: [])
        }
        return Self.source(&decoded, files: files.map(\.path))
    }

    /// Reads and validates documents that were already parsed.
    public func validate(_ documents: [YAMLDocument]) -> LoadResult {
        Validation.validate(read(documents: documents), now: now)
    }

    /// Reads and validates files given as their text (see `read(files:)`).
    public func validate(files: [(path: String, bytes: [UInt8])]) -> LoadResult {
        Validation.validate(read(files: files), now: now)
    }
}
