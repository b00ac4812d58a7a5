import ArgumentParser
import Foundation
import RolecallKit

extension PlanFormat: ExpressibleByArgument {}

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

extension RemovalLimit: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// Where the state lives: --state, else ROLECALL_STATE, else ./rolecall.state.json.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State file (default: $ROLECALL_STATE or rolecall.state.json).", valueName: "path"))
    var state: String?

    var path: String { state ?? ProcessInfo.processInfo.environment["ROLECALL_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? "rolecall.state.json" }
    var store: FileStateStore { FileStateStore(path: path) }

    /// `rolecall.audit.jsonl` beside the state.
    var auditPath: String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "rolecall.audit.jsonl" : folder + "/rolecall.audit.jsonl"
    }
}

struct PlanningOptions: ParsableArguments {
    @Flag(name: .long, help: "Only revocations whose reason is an expiry (what a scheduled job runs).")
    var onlyExpired = false

    @Option(name: .long, help: ArgumentHelp("Notice access expiring within this long.", valueName: "duration"))
    var warnWithin = Seconds("14d")

    @Option(name: .long, help: ArgumentHelp("Most members one plan may remove per org (count or N%); overrides settings.", valueName: "limit"))
    var maxRemovals: RemovalLimit?

    @Option(name: .long, help: ArgumentHelp("Acknowledge up to N member removals per org over the limit.", valueName: "n"))
    var allowRemovals: Int?

    func options(now: Date, digest: Bool) -> PlanOptions {
        var o = PlanOptions(now: now)
        o.digest = digest
        o.onlyExpired = onlyExpired
        o.warnWithin = warnWithin.value
        o.maxRemovals = maxRemovals
        o.allowRemovals = allowRemovals
        return o
    }
}

/// Prints diagnostics to standard error.
func report(_ diagnostics: [Diagnostic], color: Bool) {
    guard !diagnostics.isEmpty else { return }
    let text = DiagnosticsRenderer(format: .text, color: color).text(diagnostics.sortedForOutput())
    FileHandle.standardError.write(Data(text.utf8))
}

/// Reads the state; nil when there is none yet. A state that cannot be read is reported, and the command exits 1.
func readState(_ store: FileStateStore, color: Bool = false) throws -> State? {
    do {
        return try store.read()
    } catch {
        report([.error(error.code, error.description, at: nil)], color: color)
        throw ExitCode(1)
    }
}

/// Takes the state lock for this process, waiting up to `timeout`; a lock held by another process is
/// reported with its holder, and the command exits 1.
func takeLock(_ store: FileStateStore, timeout: Seconds, color: Bool = false) throws -> StateLock {
    let environment = ProcessInfo.processInfo.environment
    let owner = LockOwner(pid: getpid(), host: ProcessInfo.processInfo.hostName,
                          user: Workflow.actor(environment: ["USER": environment["USER"] ?? ""]), since: Date())
    do {
        return try store.lock(owner: owner, timeout: timeout.value)
    } catch {
        report([.error(error.code, error.description, at: nil)], color: color)
        throw ExitCode(1)
    }
}

/// Ends the process while `values` are still alive. Freeing a large plan's objects one by one
/// (hundreds of thousands on a 100k-member org) takes longer than the OS takes to reclaim them at once.
func finish(_ code: Int32, keeping values: some Any) -> Never {
    withExtendedLifetime(values) { Foundation.exit(code) }
}

func colorAllowed(_ noColor: Bool, fd: Int32 = STDOUT_FILENO) -> Bool {
    !noColor && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty && isatty(fd) == 1
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes that would make the state match the manifests.",
        discussion: """
            Exit status: 0 success, 1 error; with --detailed-exitcode, 2 when the plan has changes.
            """
    )

    @Argument(help: "Folder of manifests.")
    var dir = "."

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var planning: PlanningOptions
    @OptionGroup var reading: ReadingOptions

    @Option(name: .long, help: ArgumentHelp("Save the plan for `rolecall apply PLANFILE`.", valueName: "planfile"))
    var out: String?

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: PlanFormat = .text

    @Flag(name: .long, help: "Exit 2 when there are changes.")
    var detailedExitcode = false

    @Flag(name: .long, help: "Never colour the output (also: NO_COLOR).")
    var noColor = false

    func run() throws {
        let planned = Workflow.plan(manifests: dir, store: stateOptions.store,
                                    options: planning.options(now: clock.date, digest: out != nil || format == .json), reading: reading.options)
        report(planned.diagnostics, color: colorAllowed(noColor, fd: STDERR_FILENO))
        guard let plan = planned.plan else { throw ExitCode(1) }
        if let out {
            do {
                try Data(PlanDocument(plan).json.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write plan \(out): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
        }
        print(PlanRenderer(format: format, color: colorAllowed(noColor)).render(plan), terminator: "")
        finish(detailedExitcode && !plan.isEmpty ? 2 : 0, keeping: planned)
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Render a saved plan file.")

    @Argument(help: "A plan file written by `rolecall plan --out`.")
    var planfile: String

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: PlanFormat = .text

    @Flag(name: .long, help: "Never colour the output (also: NO_COLOR).")
    var noColor = false

    func run() throws {
        let plan = try readPlanFile(planfile)
        print(PlanRenderer(format: format, color: colorAllowed(noColor)).render(plan), terminator: "")
    }
}

func readPlanFile(_ path: String) throws -> Plan {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("error: cannot read plan file \(path)\n".utf8))
        throw ExitCode(1)
    }
    switch PlanDocument.read(data) {
    case let .success(plan): return plan
    case let .failure(problem):
        FileHandle.standardError.write(Data("error: \(path): \(problem)\n".utf8))
        throw ExitCode(1)
    }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan and record the new state.",
        discussion: """
            With a folder, plans first, shows the plan and asks for `yes` (or --auto-approve). With a plan \
            file, applies exactly its changes, unless the state or the clock moved since it was made.
            """
    )

    @Argument(help: "Folder of manifests, or a plan file from `rolecall plan --out`.")
    var source = "."

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var planning: PlanningOptions
    @OptionGroup var reading: ReadingOptions

    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Option(name: .long, help: ArgumentHelp("Wait this long for the state lock (default: fail at once).", valueName: "duration"))
    var lockTimeout = Seconds("0s")

    @Option(name: .long, help: ArgumentHelp("Audit log, one JSON line per change (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
    var auditLog: String?

    @Flag(name: .long, help: "Never colour the output (also: NO_COLOR).")
    var noColor = false

    func run() async throws {
        let now = clock.date
        let store = stateOptions.store
        let environment = ProcessInfo.processInfo.environment
        let lock = try takeLock(store, timeout: lockTimeout, color: colorAllowed(noColor, fd: STDERR_FILENO))
        defer { lock.release() }
        let (plan, state) = try planOrRead(store: store, now: now)
        print(PlanRenderer(format: .text, color: colorAllowed(noColor)).render(plan), terminator: "")
        guard !plan.isEmpty else {
            lock.release()
            finish(0, keeping: (plan, state))
        }
        if !autoApprove {
            guard isatty(STDIN_FILENO) == 1 else {
                report([.error(.needsTerminal, "refusing to apply without a terminal to confirm on; pass --auto-approve", at: nil)], color: false)
                throw ExitCode(1)
            }
            print("\nApply these changes? Only 'yes' is accepted: ", terminator: "")
            guard readLine() == "yes" else {
                print("Apply cancelled.")
                throw ExitCode(1)
            }
        }
        let audit = AuditLog(path: auditLog ?? stateOptions.auditPath)
        // Progress on a terminal only, once a second for a run that takes longer than that.
        let progress: [any ApplyObserver] = isatty(STDERR_FILENO) == 1
            ? [ProgressReporter { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }] : []
        let applied = await Workflow.apply(plan, state: state, backend: store, lock: lock, target: RecordOnlyTarget(), audit: audit,
                                           actor: Workflow.actor(environment: environment), observers: progress)
        report(applied.diagnostics, color: colorAllowed(noColor, fd: STDERR_FILENO))
        if !applied.diagnostics.isEmpty { throw ExitCode(1) }
        print("Apply complete: \(applied.outcome.applied.count) change\(applied.outcome.applied.count == 1 ? "" : "s") applied; state serial \(applied.outcome.state.serial).")
        lock.release()
        finish(0, keeping: (plan, state, applied))
    }

    /// The plan file's changes checked against the locked state, or a fresh plan of the folder.
    private func planOrRead(store: FileStateBackend, now: Date) throws -> (Plan, State) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue, source.hasSuffix(".json") {
            let plan = try readPlanFile(source)
            let state = try readState(store, color: colorAllowed(noColor, fd: STDERR_FILENO)) ?? State(lineage: "", serial: 0)
            if let stale = Staleness.check(plan, state: state, now: now) {
                report([.error(.stalePlan, stale.description, at: nil)], color: colorAllowed(noColor, fd: STDERR_FILENO))
                throw ExitCode(1)
            }
            return (plan, state)
        }
        let planned = Workflow.plan(manifests: source, store: store, options: planning.options(now: now, digest: false),
                                    reading: reading.options)
        report(planned.diagnostics, color: colorAllowed(noColor, fd: STDERR_FILENO))
        guard let plan = planned.plan else { throw ExitCode(1) }
        return (plan, planned.state)
    }
}
