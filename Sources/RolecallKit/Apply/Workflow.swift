import Foundation

/// The steps `plan` and `apply` share, as plain functions over values: read manifests, read state,
/// plan. The command line only adds arguments, the terminal and exit codes.
public enum Workflow {
    public struct Planned: Sendable {
        /// nil when something stopped planning (see diagnostics).
        public var plan: Plan?
        /// Validation diagnostics, state problems and what the policies found.
        public var diagnostics: [Diagnostic]
        /// The state the plan was made against (a fresh empty one on the first run).
        public var state: State
        /// The validated manifests and the desired state the plan was made from (nil when planning stopped first).
        public var manifest: Manifest?
        public var desired: DesiredState?
        /// False when the backend had no state: the plan starts from an empty one (the command line says so).
        public var stateFound = true
        /// The validation diagnostics alone (`diagnostics` adds what the policies found), for `replan`.
        var validation: [Diagnostic] = []
    }

    /// Reads and validates manifests, reads the state, builds the desired state, diffs, and runs the
    /// policies: the stages in order, each handing its result to the next.
    ///
    /// The only place where stages overlap (measured on a 100k-member org): the state is read side
    /// by side with the manifest files, and the desired state is built while the model is checked
    /// (its result is dropped when the checks find an error).
    public static func plan(manifests folder: String, store: some StateStore, options: PlanOptions,
                            reading: ReadOptions = ReadOptions()) -> Planned {
        var loader = ManifestLoader(now: options.now)
        loader.reading = reading
        let (source, read) = concurrently({ loader.read(folder: folder) },
                                          { Result { () throws(StateError) in try store.read() } })
        let merged = Validation.merge(source, now: options.now)
        var validated: LoadResult
        var desired: DesiredState?
        if merged.mayProceed, let manifest = merged.manifest {
            (desired, validated) = concurrently({ DesiredState(manifest, now: options.now) }, { merged.checked() })
        } else {
            validated = merged.checked()
        }
        var state = State(lineage: "", serial: 0)
        var found = true
        switch read {
        case let .success(existing?): state = existing
        case .success(nil): found = false
        case let .failure(error):
            return Planned(plan: nil, diagnostics: validated.diagnostics + [.error(error.code, error.description, at: nil)], state: state)
        }
        guard let manifest = validated.manifest, let desired else {
            return Planned(plan: nil, diagnostics: validated.diagnostics, state: state, stateFound: found)
        }
        var planned = Planned(plan: nil, diagnostics: validated.diagnostics, state: state, manifest: manifest, desired: desired,
                              stateFound: found, validation: validated.diagnostics)
        diff(&planned, options: options)
        return planned
    }

    /// The plan made again against `state` (a target's view of the org, read after the manifests):
    /// the manifests and the desired state are not read or built again.
    public static func replan(_ planned: Planned, against state: State, options: PlanOptions) -> Planned {
        var again = planned
        again.state = state
        diff(&again, options: options)
        return again
    }

    /// The diff of the desired state against `planned.state`, and the policies run over it.
    private static func diff(_ planned: inout Planned, options: PlanOptions) {
        guard let manifest = planned.manifest, let desired = planned.desired else { return }
        var plan = Planner.diff(desired: desired, current: planned.state, options: options)
        plan.describeOrgs(manifest: manifest, state: planned.state)
        let problems = Policies.check(plan: plan, desired: desired, state: planned.state, options: options)
        planned.plan = problems.hasErrors ? nil : plan
        planned.diagnostics = planned.validation + problems
    }

    /// Who is applying, for the audit log: ROLECALL_ACTOR, else the CI system's user, else the OS user.
    public static func actor(environment: [String: String]) -> String {
        let keys = ["ROLECALL_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR_EMAIL", "CIRCLE_USERNAME",
                    "BITBUCKET_STEP_TRIGGERER_UUID", "USER", "LOGNAME"]
        for key in keys {
            if let value = environment[key], !value.isEmpty { return value }
        }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    public struct Applied: Sendable {
        public var outcome: ApplyOutcome
        /// Problems carrying out a change, writing state or the audit log.
        public var diagnostics: [Diagnostic]
    }

    /// Applies a plan to the state the caller has locked: runs it through `target`, saving the state after
    /// every batch and writing each batch's audit records before it (see `Applier`). An audit log that is
    /// one of the state's own files, and a plan evaluated before the state's last evaluation (unless
    /// `allowBackdate`), are refused before anything is written. A backend that keeps audit records itself
    /// (PostgreSQL) commits them with the state; `audit`, if given, gets them as well.
    public static func apply(_ plan: Plan, state: State, backend: some StateBackend, lock: any StateLock,
                             target: some ApplyTarget, audit: AuditLog?, actor: String,
                             observers: [any ApplyObserver] = [], allowBackdate: Bool = false) async -> Applied {
        if let audit, backend.ownsFile(atPath: audit.path) {
            let problem = StateError.sharesStateFile(backend: backend.location, path: audit.path)
            return Applied(outcome: ApplyOutcome(state: state, applied: []), diagnostics: [.error(problem.code, problem.description, at: nil)])
        }
        if !allowBackdate, let problem = Backdating.check(plan, state: state) {
            return Applied(outcome: ApplyOutcome(state: state, applied: []), diagnostics: [problem])
        }
        var auditors: [any ApplyObserver] = audit.map { [AuditObserver(log: $0, actor: actor, evaluatedAt: plan.evaluatedAt)] } ?? []
        if let auditing = backend as? any AuditingStateBackend {
            auditors.append(TransactionalAuditObserver(backend: auditing, actor: actor, evaluatedAt: plan.evaluatedAt))
        }
        let applier = Applier(backend: backend, lock: lock, observers: auditors + observers)
        let outcome = await applier.run(plan, on: state, target: target)
        var diagnostics: [Diagnostic] = []
        if outcome.failures.count > 1 || target.continuesAfterFailure {
            for failure in outcome.failures {
                diagnostics.append(.error(.changeFailed, "applying \(failure.change.id) failed: \(failure.message)", at: nil))
            }
        } else if let failure = outcome.failure {
            diagnostics.append(.error(.changeFailed, "applying \(failure.change.id) failed: \(failure.message); "
                                      + "\(plural(outcome.applied.count, "change")) before it were applied and saved", at: nil))
        }
        if let saveError = outcome.saveError { diagnostics.append(.error(.saveFailed, saveError, at: nil)) }
        return Applied(outcome: outcome, diagnostics: diagnostics)
    }
}

extension Workflow {
    /// Records that a member accepted their invitation (the record-only target has no inbox; a real
    /// target reports acceptance itself), under the lock the caller holds. Returns the applied change and the
    /// new serial, or nil when already active.
    public static func accept(email: String, org: String, state: State, backend: some StateBackend, lock: any StateLock,
                              audit: AuditLog?, actor: String, now: Date) -> Result<(change: Change, serial: Int)?, Diagnostic> {
        let id = ResourceID(org: org, kind: .member, key: email.lowercased())
        guard let before = state.resources[id] else {
            let known = state.organizations.contains(org)
            return .failure(.error(.notInState, known ? "\(email) is not a member of org '\(org)' in the state"
                                         : "org '\(org)' is not in the state", at: nil))
        }
        guard before["status"] != .string("active") else { return .success(nil) }
        var after = before
        after["status"] = .string("active")
        after["accepted_at"] = .string(Timestamp.format(now))
        let change = Change(action: .update, id: id, before: before, after: after, reason: .invitationAccepted, location: nil)
        var next = state
        next.apply(change)
        do throws(StateError) {
            if let audit, backend.ownsFile(atPath: audit.path) { throw .sharesStateFile(backend: backend.location, path: audit.path) }
            let version = StateVersion(of: state)
            next.serial = try StateVersion(lineage: state.lineage, serial: state.serial).nextSerial(in: backend.location)
            // The record first (as apply does with each batch; a backend that keeps audit records commits it
            // with the state); if the state then cannot be written, a second record says so.
            let record = AuditRecord(time: Date(), actor: actor, change: change, result: "ok")
            try audit?.append([record])
            let auditing = backend as? any AuditingStateBackend
            auditing?.stageAudit([record])
            do {
                try backend.write(next, replacing: version, holding: lock)
            } catch {
                let failed = AuditRecord(time: Date(), actor: actor, change: change, result: "failed: not saved in the state: \(error)")
                try? audit?.append([failed])
                try? auditing?.appendAudit([failed])
                throw error
            }
        } catch {
            return .failure(.error(error.code, error.description, at: nil))
        }
        return .success((change, next.serial))
    }
}
