/// Diagnostics are data: the library returns them, renderers decide how they look.

/// A place in a manifest: file path as the user should see it, 1-based line and column.
///
/// Line and column are kept in 32 bits each (a file would need two billion lines to go past them,
/// and files are read whole into memory; a larger value is held at the largest): a member carries
/// five places and a grant seven, and at 24 bytes rather than 32 each the model of a large org is a
/// tenth smaller.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    private var storedLine: Int32
    private var storedColumn: Int32

    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = Int32(clamping: newValue) }
    }

    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = Int32(clamping: newValue) }
    }

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.storedLine = Int32(clamping: line)
        self.storedColumn = Int32(clamping: column)
    }

    private enum CodingKeys: String, CodingKey { case file, line, column }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try container.decode(String.self, forKey: .file), line: try container.decode(Int.self, forKey: .line),
                  column: try container.decode(Int.self, forKey: .column))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.storedLine, a.storedColumn) < (b.file, b.storedLine, b.storedColumn)
    }
}

public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
}

/// A secondary message attached to a diagnostic, e.g. `first declared here`.
public struct DiagnosticNote: Hashable, Sendable, Codable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// One problem found in the input.
public struct Diagnostic: Hashable, Sendable, Codable {
    public var severity: Severity
    /// What kind of problem it is (`RC3101 unknown-role`): what tests and tools match on.
    public var code: DiagnosticCode
    public var message: String
    /// Where the problem is; nil for problems that belong to no file (e.g. an empty folder).
    public var location: SourceLocation?
    public var notes: [DiagnosticNote]

    public init(_ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation?,
                notes: [DiagnosticNote] = []) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.notes = notes
    }

    public static func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?,
                             notes: [DiagnosticNote] = []) -> Diagnostic {
        Diagnostic(.error, code, message, at: location, notes: notes)
    }

    public static func warning(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?,
                               notes: [DiagnosticNote] = []) -> Diagnostic {
        Diagnostic(.warning, code, message, at: location, notes: notes)
    }
}

extension Diagnostic {
    /// Order for output: by file, line, column; problems without a location first; then by text.
    static func sortKey(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        switch (a.location, b.location) {
        case (nil, .some): return true
        case (.some, nil): return false
        case let (.some(la), .some(lb)) where la != lb: return la < lb
        default:
            if a.severity != b.severity { return a.severity == .error }
            return a.message < b.message
        }
    }
}

extension Array where Element == Diagnostic {
    /// Sorted for output (stable, deterministic).
    public func sortedForOutput() -> [Diagnostic] { sorted(by: Diagnostic.sortKey) }

    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// `--strict`: every warning becomes an error.
    public func promotingWarnings() -> [Diagnostic] {
        map { var d = $0; d.severity = .error; return d }
    }
}

/// Collects diagnostics during one run. Owned by the run (never global).
///
/// Bounded: it keeps the first `limit` diagnostics and only counts the rest (`omitted`), and clips a
/// message longer than `messageLimit` characters, so hostile input (500k broken documents, 60 KB keys)
/// costs neither seconds nor hundreds of megabytes in diagnostics.
final class DiagnosticSink {
    /// Most diagnostics kept by one sink (and listed for one run).
    static let limit = 1_000
    /// Most characters of one message (a quoted 60 KB key is clipped in the middle).
    static let messageLimit = 1_000

    private(set) var diagnostics: [Diagnostic] = []
    private(set) var omitted = OmittedDiagnostics()

    /// The message (and its did-you-mean) is not even built once the sink is full.
    func error(_ code: DiagnosticCode, _ message: @autoclosure () -> String, at location: SourceLocation?,
               notes: @autoclosure () -> [DiagnosticNote] = []) {
        guard diagnostics.count < Self.limit else { return omit(OmittedDiagnostics(errors: 1)) }
        append(.error(code, message(), at: location, notes: notes()))
    }

    func warning(_ code: DiagnosticCode, _ message: @autoclosure () -> String, at location: SourceLocation?,
                 notes: @autoclosure () -> [DiagnosticNote] = []) {
        guard diagnostics.count < Self.limit else { return omit(OmittedDiagnostics(warnings: 1)) }
        append(.warning(code, message(), at: location, notes: notes()))
    }

    func append(_ d: Diagnostic) {
        guard diagnostics.count < Self.limit else {
            omit(OmittedDiagnostics(errors: d.severity == .error ? 1 : 0, warnings: d.severity == .warning ? 1 : 0))
            return
        }
        var d = d
        d.message = clipped(d.message, to: Self.messageLimit)
        diagnostics.append(d)
    }

    func append(contentsOf ds: [Diagnostic]) {
        for d in ds { append(d) }
    }

    /// Counts diagnostics another sink left out.
    func omit(_ more: OmittedDiagnostics) {
        omitted.errors += more.errors
        omitted.warnings += more.warnings
    }

    var hasErrors: Bool { omitted.errors > 0 || diagnostics.hasErrors }
}

/// `text` itself when at most `limit` characters (Unicode scalars) long, else its start and end around
/// `…(60,000 characters)…`, so a hostile value cannot make a diagnostic huge. Linear in UTF-8 decoding
/// only (counting grapheme clusters cost milliseconds on a 60 KB key).
func clipped(_ text: String, to limit: Int) -> String {
    guard text.utf8.count > limit else { return text }
    let scalars = text.unicodeScalars
    let total = scalars.count
    guard total > limit else { return text }
    let keep = max(1, (limit - 30) / 2)
    var head = String.UnicodeScalarView(), tail = String.UnicodeScalarView()
    head.append(contentsOf: scalars.prefix(keep))
    tail.append(contentsOf: scalars.suffix(keep))
    return String(head) + "…(\(grouped(total)) characters)…" + String(tail)
}

/// A single diagnostic can be the failure of an operation (`Result<_, Diagnostic>`).
extension Diagnostic: Error {}
