import Foundation

/// `rolecall apply [DIR | PLANFILE]`.
public struct ApplyRequest: Sendable {
    /// A folder of manifests (planned first), or a plan file from `plan --out` (`*.json`).
    public var source = "."
    public var backend: any StateBackend
    /// How a folder is planned (`--now` is `options.now`, which a plan file is also checked against).
    public var options: PlanOptions
    public var reading = ReadOptions()
    /// Apply without asking.
    public var autoApprove = false
    /// How long to wait for the state lock (0: fail at once).
    public var lockTimeout: TimeInterval = 0
    /// The audit log, one JSON line per change (nil: only the backend's own, as PostgreSQL keeps).
    public var auditPath: String?
    /// A missing state is an error rather than an empty one (`--require-state`, for CI).
    public var requireState = false
    /// Where the actor and the lock holder's name come from (`ROLECALL_ACTOR`, CI variables, `USER`).
    public var environment: [String: String] = [:]
    /// Colour in the plan shown.
    public var color = false
    /// Apply even when `--now` is earlier than the state's last evaluation (re-grants expired access).
    public var allowBackdate = false
    /// Allow changes to the roles `settings.policy.protected_roles` names (`--allow-protected`).
    public var allowProtected = false
    /// Where the changes of orgs without a target (`settings.target`) are carried out: recorded only.
    public var target: any ApplyTarget = RecordOnlyTarget()
    /// Read each org's target before planning (`--refresh`); false plans from the state alone.
    public var refresh = true
    /// How a SCIM client is made (the HTTP transport; tests may pass another).
    public var makeClient: TargetSetup.ClientMaker = TargetSetup.httpClient

    public init(backend: any StateBackend, options: PlanOptions, auditPath: String?) {
        self.backend = backend
        self.options = options
        self.auditPath = auditPath
    }
}

/// What `apply` needs from whoever runs it: somewhere to show the plan before it is applied, someone to
/// ask, and observers (a progress display).
public struct ApplyHooks: Sendable {
    /// Shows the plan (the command line prints it to standard output before asking).
    public var show: @Sendable (String) -> Void
    /// Says something on standard error at once, before the plan (`No state at …`).
    public var note: @Sendable (String) -> Void = { _ in }
    /// Asks whether to apply: true for yes, false for anything else, nil when nobody can be asked (no terminal).
    public var confirm: @Sendable () async -> Bool?
    /// Told of each change and batch besides the audit log.
    public var observers: [any ApplyObserver]

    public init(show: @escaping @Sendable (String) -> Void, confirm: @escaping @Sendable () async -> Bool?,
                observers: [any ApplyObserver] = []) {
        self.show = show
        self.confirm = confirm
        self.observers = observers
    }
}

extension Commands {
    /// Locks the state, plans the folder (or reads the plan file and checks it is not stale), shows the
    /// plan, asks unless `autoApprove`, applies, and releases the lock before returning. Orgs with a
    /// target are planned against what their servers hold (read under the lock) and applied there.
    public static func apply(_ request: ApplyRequest, hooks: ApplyHooks) async -> CommandResult {
        let lock: any StateLock
        switch request.backend.lockOrDiagnose(environment: request.environment, timeout: request.lockTimeout) {
        case let .success(held): lock = held
        case let .failure(problem): return CommandResult(diagnostics: [problem], exitCode: 1)
        }
        defer { lock.release() }
        let prepared = await preparePlan(request)
        guard case let .success((plan, state, warnings)) = prepared.result else {
            var failed = CommandResult(diagnostics: prepared.diagnostics, exitCode: 1, retained: prepared.retained)
            failed.notes = prepared.notes
            return failed
        }
        if let note = prepared.notes.first { hooks.note(note) }
        if !prepared.drift.isEmpty { hooks.show(prepared.drift) }
        if !request.allowBackdate, let problem = Backdating.check(plan, state: state) {
            return CommandResult(diagnostics: warnings + [problem], exitCode: 1, retained: [plan, state])
        }
        hooks.show(PlanRenderer(format: .text, color: request.color).render(plan))
        guard !plan.isEmpty else { return CommandResult(diagnostics: warnings, retained: [plan, state]) }
        if !request.autoApprove {
            switch await hooks.confirm() {
            case true?: break
            case false?: return CommandResult(output: "Apply cancelled.\n", diagnostics: warnings, exitCode: 1, retained: [plan, state])
            case nil:
                return CommandResult(diagnostics: warnings + [.error(.needsTerminal, "refusing to apply without a terminal to confirm on; pass --auto-approve", at: nil)],
                                     exitCode: 1, retained: [plan, state])
            }
        }
        let target: any ApplyTarget = prepared.target ?? request.target
        let applied = await Workflow.apply(plan, state: state, backend: request.backend, lock: lock, target: target,
                                           audit: request.auditPath.map { AuditLog(path: $0) },
                                           actor: Workflow.actor(environment: request.environment), observers: hooks.observers,
                                           allowBackdate: request.allowBackdate)
        guard applied.diagnostics.isEmpty else {
            return CommandResult(diagnostics: warnings + applied.diagnostics, exitCode: 1, retained: [plan, state, applied])
        }
        let count = applied.outcome.applied.count
        let output = "Apply complete: \(plural(count, "change")) applied; state serial \(applied.outcome.state.serial).\n"
        return CommandResult(output: output, diagnostics: warnings, retained: [plan, state, applied])
    }

    /// A plan file is one that exists, is not a folder and ends in `.json`; anything else is a folder of manifests.
    public static func isPlanFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && path.hasSuffix(".json")
    }

    private struct Prepared {
        var result: Result<(Plan, State, [Diagnostic]), Diagnostic>
        var diagnostics: [Diagnostic]
        var retained: [any Sendable] = []
        var notes: [String] = []
        /// For orgs with a target: the routing target and the drift section.
        var target: (any ApplyTarget)?
        var drift = ""
    }

    /// The plan file's changes checked against the locked state, or a fresh plan of the folder; with the
    /// warnings found on the way.
    private static func preparePlan(_ request: ApplyRequest) async -> Prepared {
        func failed(_ diagnostics: [Diagnostic], _ retained: [any Sendable] = []) -> Prepared {
            Prepared(result: .failure(diagnostics.first { $0.severity == .error } ?? .error(.changeFailed, "apply failed", at: nil)),
                     diagnostics: diagnostics, retained: retained)
        }
        if isPlanFile(request.source) {
            if let problem = TargetSetup.checkPlanFile(backend: request.backend) { return failed([problem]) }
            let plan: Plan, state: State
            var notes: [String] = []
            switch readPlanFile(request.source, sealed: true, key: planKey(environment: request.environment)) {
            case let .success(read): plan = read
            case let .failure(problem): return failed([problem])
            }
            switch request.backend.readOrDiagnose() {
            case let .success(read?): state = read
            case .success(nil):
                state = State(lineage: "", serial: 0)
                let (note, error) = noStateNotice(at: request.backend, required: request.requireState)
                if let error { return failed([error]) }
                notes = note.map { [$0] } ?? []
            case let .failure(problem): return failed([problem])
            }
            if let stale = Staleness.check(plan, state: state, now: request.options.now) {
                return failed([.error(.stalePlan, stale.description, at: nil)], [plan, state])
            }
            // The plan file is input: every guard, policy and name is checked again, against the state as it is now.
            var options = request.options
            options.digest = false
            options.protectedChanges = request.allowProtected ? .allow : .refuse
            let problems = SavedPlan.check(plan, state: state, options: options)
            if problems.hasErrors { return failed(problems, [plan, state]) }
            return Prepared(result: .success((plan, state, problems)), diagnostics: problems, notes: notes)
        }
        var options = request.options
        options.digest = false
        options.protectedChanges = request.allowProtected ? .allow : .refuse
        var planned = Workflow.plan(manifests: request.source, store: request.backend, options: options, reading: request.reading)
        var setup: TargetSetup?
        if TargetSetup.hasTargets(planned) {
            let made = await TargetSetup.prepare(planned: planned, now: options.now,
                                                 environment: request.environment, refresh: request.refresh, makeClient: request.makeClient)
            guard made.diagnostics.isEmpty else { return failed(made.diagnostics) }
            if let refreshed = made.refreshed { planned = Workflow.replan(planned, against: refreshed, options: options) }
            setup = made
        }
        var notes: [String] = []
        if !planned.stateFound, planned.plan != nil || request.requireState {
            let (note, error) = noStateNotice(at: request.backend, required: request.requireState)
            if let error { return failed(planned.diagnostics + [error], [planned]) }
            notes = note.map { [$0] } ?? []
        }
        guard let plan = planned.plan else {
            var prepared = failed(planned.diagnostics, [planned])
            prepared.notes = notes
            return prepared
        }
        return Prepared(result: .success((plan, planned.state, planned.diagnostics)), diagnostics: planned.diagnostics, notes: notes,
                        target: setup?.target, drift: DriftItem.render(setup?.drift ?? []))
    }
}
