import ArgumentParser
import Foundation
import RolecallKit

extension RemovalLimit: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
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

    func options(now: Date) -> PlanOptions {
        var o = PlanOptions(now: now)
        o.onlyExpired = onlyExpired
        o.warnWithin = warnWithin.value
        o.maxRemovals = maxRemovals
        o.allowRemovals = allowRemovals
        return o
    }
}

/// `--label TEXT`: what the plan's header names. Without it, Markdown (the pull-request comment) names
/// the commit in `GITHUB_SHA`.
struct LabelOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("What the plan's header names (default for markdown: $GITHUB_SHA).", valueName: "text"))
    var label: String?

    func label(for format: PlanFormat) -> String? {
        if let label { return label }
        guard format == .markdown, let sha = ProcessInfo.processInfo.environment["GITHUB_SHA"], !sha.isEmpty else { return nil }
        return sha
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes that would make the state match the manifests.",
        discussion: """
            Exit status: 0 success, 1 error; with --detailed-exitcode, 2 when the plan has changes. On errors, \
            --format json and markdown still print a document explaining them, and github annotates them.
            """
    )

    @Argument(help: "Folder of manifests.")
    var dir = "."

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var required: RequireStateOption
    @OptionGroup var clock: ClockOptions
    @OptionGroup var planning: PlanningOptions
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var output: FormatOptions<PlanFormat>
    @OptionGroup var labelOption: LabelOption
    @OptionGroup var color: ColorOptions
    @OptionGroup var targets: TargetOptions

    @Option(name: .long, help: ArgumentHelp("Save the plan for `rolecall apply PLANFILE`.", valueName: "planfile"))
    var out: String?

    @Flag(name: .long, help: "Exit 2 when there are changes.")
    var detailedExitcode = false

    func run() async throws {
        let console = Console(colors: color.colors)
        var request = PlanRequest(backend: stateOptions.store, options: planning.options(now: clock.date))
        request.folder = dir
        request.reading = reading.options
        request.format = output.format
        request.label = labelOption.label(for: output.format)
        request.color = console.colors.stdout
        request.out = out
        request.detailedExitCode = detailedExitcode
        request.planKey = planKey(environment: ProcessInfo.processInfo.environment)
        request.requireState = required.requireState
        request.environment = ProcessInfo.processInfo.environment
        request.refresh = targets.refresh
        console.end(with: await Commands.plan(request))
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Render a saved plan file.")

    @Argument(help: "A plan file written by `rolecall plan --out`.")
    var planfile: String

    @OptionGroup var output: FormatOptions<PlanFormat>
    @OptionGroup var labelOption: LabelOption
    @OptionGroup var color: ColorOptions

    func run() async throws {
        let console = Console(colors: color.colors)
        var request = ShowRequest(planfile: planfile)
        request.format = output.format
        request.label = labelOption.label(for: output.format)
        request.color = console.colors.stdout
        console.end(with: Commands.show(request))
    }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan and record the new state.",
        discussion: """
            With a folder, plans first, shows the plan and asks for `yes` (or --auto-approve). With a plan \
            file, applies exactly its changes, unless the state or the clock moved since it was made, its \
            digest (an HMAC with ROLECALL_PLAN_KEY) does not match, or a change breaks a policy or a rule.
            """
    )

    @Argument(help: "Folder of manifests, or a plan file from `rolecall plan --out`.")
    var source = "."

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var required: RequireStateOption
    @OptionGroup var clock: ClockOptions
    @OptionGroup var planning: PlanningOptions
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var color: ColorOptions
    @OptionGroup var targets: TargetOptions

    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .long, help: "Apply even when --now is earlier than the state's last evaluation (re-grants expired access).")
    var allowBackdate = false

    @Flag(name: .long, help: "Allow changes to the roles settings.policy.protected_roles names.")
    var allowProtected = false

    @Option(name: .long, help: ArgumentHelp("Audit log, one JSON line per change (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
    var auditLog: String?

    func run() async throws {
        let console = Console(colors: color.colors)
        // A full disk or a file size limit makes writes fail with an error the run reports, not a signal that kills it.
        signal(SIGXFSZ, SIG_IGN)
        var request = ApplyRequest(backend: stateOptions.store, options: planning.options(now: clock.date),
                                   auditPath: auditLog ?? stateOptions.auditPath)
        request.refresh = targets.refresh
        request.source = source
        request.reading = reading.options
        request.autoApprove = autoApprove
        request.allowBackdate = allowBackdate
        request.allowProtected = allowProtected
        request.requireState = required.requireState
        request.lockTimeout = lock.lockTimeout.value
        request.environment = ProcessInfo.processInfo.environment
        request.color = console.colors.stdout
        // A bar (done/total, rate, ETA) redrawn in place on standard error; nothing when it is not a terminal.
        let progress: [any ApplyObserver] = isatty(STDERR_FILENO) == 1
            ? [ProgressBar { FileHandle.standardError.write(Data(("\r\u{1B}[K" + $0).utf8)) }, EndLine()] : []
        var hooks = ApplyHooks(show: { console.write($0) }, confirm: { Self.askForYes() }, observers: progress)
        hooks.note = { console.note($0) }
        console.end(with: await Commands.apply(request, hooks: hooks))
    }

    /// nil without a terminal to ask on; otherwise whether the answer is exactly `yes`.
    private static func askForYes() -> Bool? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        print("\nApply these changes? Only 'yes' is accepted: ", terminator: "")
        return readLine() == "yes"
    }
}

/// Ends the progress bar's line once the run is over.
struct EndLine: ApplyObserver {
    func didFinish(_ result: ChangeResult, index: Int, of total: Int) async {
        if index + 1 == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
