import Foundation

/// The command line's verbs as library functions: each takes a request (a struct of options, so a new
/// flag is a new field) and returns a `CommandResult` that the command line prints. They never print,
/// read the terminal or exit; what needs the terminal (asking for `yes`, progress) comes in as closures.
public enum Commands {}

/// What one command produced: what goes to standard output, the diagnostics for standard error, and
/// the exit status.
public struct CommandResult: Sendable {
    /// Text for standard output, printed as is.
    public var output: String
    /// Problems and warnings for standard error (the command line prints them, sorted, as text).
    public var diagnostics: [Diagnostic]
    /// Plain lines for standard error, printed before the diagnostics (`No state at …`).
    public var notes: [String] = []
    /// 0 success, 1 error, 2 a plan with changes under `--detailed-exitcode`.
    public var exitCode: Int32
    /// Large values (a plan, a state) kept alive until the process exits: freeing hundreds of thousands
    /// of objects one by one takes longer than the OS takes to reclaim them at once.
    public var retained: [any Sendable]

    public init(output: String = "", diagnostics: [Diagnostic] = [], exitCode: Int32 = 0, retained: [any Sendable] = []) {
        self.output = output
        self.diagnostics = diagnostics
        self.exitCode = exitCode
        self.retained = retained
    }

    /// A failure with one error and nothing on standard output.
    public static func failure(_ code: DiagnosticCode, _ message: String, output: String = "") -> CommandResult {
        CommandResult(output: output, diagnostics: [.error(code, message, at: nil)], exitCode: 1)
    }
}

/// Parses what `--now` takes: an RFC 3339 timestamp (`2026-11-23T12:00:00Z`), or a date
/// (`2026-11-23`), meaning midnight UTC at its start.
public func parseInstantOrDate(_ text: String) -> Date? {
    if let instant = parseTimestamp(text) { return instant }
    if case let .ok(.day(day)) = WrittenExpiry.parse(text) { return day.startInUTC }
    return nil
}

extension LockOwner {
    /// This process, as recorded in the lock for whoever is kept waiting.
    public static func current(environment: [String: String], since: Date = Date()) -> LockOwner {
        LockOwner(pid: getpid(), host: ProcessInfo.processInfo.hostName,
                  user: Workflow.actor(environment: ["USER": environment["USER"] ?? ""]), since: since)
    }
}

/// `--require-state`: what a command says when the backend has no state yet. Without the flag, one line
/// (`No state at …: planning from an empty state.`) and the plan goes on; with it, an error.
func noStateNotice(at backend: any StateBackend, required: Bool) -> (note: String?, error: Diagnostic?) {
    if required { return (nil, .error(.noState, "no state at \(backend.location) (--require-state)", at: nil)) }
    return ("No state at \(backend.location): planning from an empty state.", nil)
}

extension StateBackend {
    /// The state, or nil when there is none yet; a state that cannot be read is a diagnostic.
    func readOrDiagnose() -> Result<State?, Diagnostic> {
        do {
            return .success(try read())
        } catch {
            return .failure(error.diagnostic)
        }
    }

    /// Takes the lock, waiting up to `timeout`; a lock held elsewhere is a diagnostic naming its holder.
    func lockOrDiagnose(environment: [String: String], timeout: TimeInterval) -> Result<any StateLock, Diagnostic> {
        do {
            return .success(try lock(owner: .current(environment: environment), timeout: timeout))
        } catch {
            return .failure(error.diagnostic)
        }
    }
}
