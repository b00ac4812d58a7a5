import ArgumentParser
import Foundation
import RolecallKit

extension OutputFormat: ExpressibleByArgument {}
extension PlanFormat: ExpressibleByArgument {}
extension AccessFormat: ExpressibleByArgument {}

/// `--format`: each command's own formats (validate: text, json, github; plan and show: text, json,
/// markdown, github; access: text, json, markdown, csv), text by default.
protocol CommandFormat: ExpressibleByArgument, CaseIterable, Sendable {
    static var text: Self { get }
}

extension OutputFormat: CommandFormat {}
extension PlanFormat: CommandFormat {}
extension AccessFormat: CommandFormat {}

struct FormatOptions<Format: CommandFormat>: ParsableArguments {
    @Option(name: .long, help: "Output format.")
    var format: Format = .text
}

/// `--no-color`, and the one place colour is decided: for standard output and standard error, each
/// only on a terminal, never with --no-color or when NO_COLOR is set to anything.
struct ColorOptions: ParsableArguments {
    @Flag(name: .long, help: "Never colour the output (also: the NO_COLOR environment variable).")
    var noColor = false

    var colors: Colors {
        let allowed = !noColor && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty
        return Colors(stdout: allowed && isatty(STDOUT_FILENO) == 1, stderr: allowed && isatty(STDERR_FILENO) == 1)
    }
}

struct Colors {
    var stdout: Bool
    var stderr: Bool
}

/// `--now`: the instant expiries are compared with; the clock by default.
struct ClockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Evaluate expiries at this instant (RFC 3339) or at the start of this date (UTC) instead of the clock.",
                                            valueName: "rfc3339|date"))
    var now: Instant?

    var date: Date { now?.date ?? Date() }
}

struct Instant: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        guard let date = RolecallKit.parseInstantOrDate(argument) else { return nil }
        self.date = date
    }
}

/// How manifests are read: `--max-file-size`, `--follow-symlinks`, `--exclude`.
struct ReadingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Refuse manifest files larger than this (bytes; K, M or G suffix).",
                                            valueName: "size"))
    var maxFileSize = ByteCount(ReadOptions.defaultMaxFileSize)

    @Flag(name: .long, help: "Follow manifest symbolic links that lead outside the manifest folder.")
    var followSymlinks = false

    @Option(name: .long, help: ArgumentHelp("Leave out files and folders whose path relative to the manifest folder matches this fnmatch pattern (`*` matches `/` too); repeatable.",
                                            valueName: "glob"))
    var exclude: [String] = []

    var options: ReadOptions { ReadOptions(maxFileSize: maxFileSize.bytes, followSymlinks: followSymlinks, exclude: exclude) }
}

/// A size such as `1048576`, `512K`, `64M` or `1G` (binary units).
struct ByteCount: ExpressibleByArgument {
    var bytes: Int

    init(_ bytes: Int) {
        self.bytes = bytes
    }

    init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = argument.last.flatMap { units[Character($0.uppercased())] }
        guard let n = Int(unit == nil ? argument : String(argument.dropLast())), n > 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit ?? 1)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    var defaultValueDescription: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : "\(bytes)" }
}

/// A duration argument: `14d`, `36h`, `30m`, `90s`.
struct Seconds: ExpressibleByArgument {
    var value: TimeInterval
    var text: String

    init(_ text: String) {
        self.text = text
        value = parseDuration(text) ?? 0
    }

    init?(argument: String) {
        guard parseDuration(argument) != nil else { return nil }
        self.init(argument)
    }

    var defaultValueDescription: String { text }
}

/// Where the state lives: --state, else ROLECALL_STATE, else ./rolecall.state.json; a postgres:// URL
/// names a state in PostgreSQL (password from the URL or PGPASSWORD, never shown).
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State file or postgres://USER@HOST[:PORT]/DB?name=STATE (default: $ROLECALL_STATE or rolecall.state.json; access reads a state only when named).",
                                            valueName: "path|url"))
    var state: String?

    var path: String { state ?? ProcessInfo.processInfo.environment["ROLECALL_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? "rolecall.state.json" }
    var isPostgres: Bool { PostgresStateURL.isPostgres(path) }

    /// The backend `path` names; a malformed URL is reported (without its password) and the command exits 1.
    var store: any StateBackend {
        do {
            return try StateBackends.open(path, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console(colors: Colors(stdout: false, stderr: false)).end(with: CommandResult(diagnostics: [error.diagnostic], exitCode: 1))
        }
    }

    /// `rolecall.audit.jsonl` beside a state file; none for a PostgreSQL state (its audit is in `rolecall_audit`).
    var auditPath: String? {
        guard !isPostgres else { return nil }
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "rolecall.audit.jsonl" : folder + "/rolecall.audit.jsonl"
    }
}

/// `--require-state`: a missing state is an error rather than an empty one (for CI).
struct RequireStateOption: ParsableArguments {
    @Flag(name: .long, help: "Fail (exit 1) when there is no state, instead of planning from an empty one.")
    var requireState = false
}

/// `--lock-timeout`.
struct LockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Wait this long for the state lock (default: fail at once).", valueName: "duration"))
    var lockTimeout = Seconds("0s")
}
