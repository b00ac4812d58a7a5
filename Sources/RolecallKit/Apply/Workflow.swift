import Foundation

/// The steps `plan` and `apply` share, as plain functions over values: read manifests, read state,
/// plan. The command line only adds arguments, the terminal and exit codes.
public enum Workflow {
    public struct Planned: Sendable {
        /// nil when something stopped planning (see diagnostics).
        public var plan: Plan?
        /// Validation diagnostics, state problems and safety problems.
        public var diagnostics: [Diagnostic]
        /// The state the plan was made against (a fresh empty one on the first run).
        public var state: State
        /// The validated manifests and the desired state the plan was made from (nil when planning stopped first).
        public var manifest: Manifest?
        public var desired: DesiredState?
    }

    /// Reads and validates manifests, reads the state, and plans.
    public static func plan(manifests folder: String, store: some StateStore, options: PlanOptions, reading: ReadOptions = ReadOptions()) -> Planned {
        // The state and the manifests are independent reads: the state is read as one more file,
        // side by side with the manifests. The desired state is built while the manifests are checked.
        let loaded = { var l = ManifestLoader(now: options.now); l.reading = reading; return l }().load(
            folder, alongside: { () -> Result<State?, StateError> in Result { () throws(StateError) in try store.read() } },
            deriving: { DesiredState($0, now: options.now) })
        let read = loaded.alongside
        var state = State(lineage: "", serial: 0)
        switch read {
        case let .success(existing?): state = existing
        case .success(nil): break
        case let .failure(error):
            return Planned(plan: nil, diagnostics: loaded.result.diagnostics + [.error(error.description, at: nil)], state: state)
        }
        guard let manifest = loaded.result.manifest, let desired = loaded.derived else {
            return Planned(plan: nil, diagnostics: loaded.result.diagnostics, state: state)
        }
        let (plan, safety) = Planner.plan(desired: desired, current: state, options: options)
        return Planned(plan: safety.hasErrors ? nil : plan, diagnostics: loaded.result.diagnostics + safety, state: state,
                       manifest: manifest, desired: desired)
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
        /// Problems writing state or the audit log.
        public var diagnostics: [Diagnostic]
    }

    /// Applies a plan to the locked state, saves what was applied (also after a failure), appends the audit log.
    public static func apply(_ plan: Plan, state: State, store: some StateStore, target: inout some ApplyTarget,
                             audit: AuditLog, actor: String, now: Date) -> Applied {
        var outcome = Applier.run(plan, on: state, target: &target)
        var diagnostics: [Diagnostic] = []
        if !outcome.applied.isEmpty {
            if outcome.state.lineage.isEmpty { outcome.state.lineage = UUID().uuidString.lowercased() }
            outcome.state.serial = state.serial + 1
            do {
                try store.write(outcome.state)
            } catch {
                diagnostics.append(.error(error.description, at: nil))
            }
        }
        var records = outcome.applied.map { AuditRecord(time: now, actor: actor, change: $0, result: "ok") }
        if let failure = outcome.failure {
            records.append(AuditRecord(time: now, actor: actor, change: failure.change, result: "failed: \(failure.message)"))
            diagnostics.append(.error("applying \(failure.change.id) failed: \(failure.message); "
                                      + "\(plural(outcome.applied.count, "change")) before it were applied and saved", at: nil))
        }
        do {
            try audit.append(records)
        } catch {
            diagnostics.append(.error(error.description, at: nil))
        }
        return Applied(outcome: outcome, diagnostics: diagnostics)
    }
}

extension Workflow {
    /// Records that a member accepted their invitation (the state-file target has no inbox; a real
    /// target reports acceptance itself). Returns the applied change, or nil when already active.
    public static func accept(email: String, org: String, state: State, store: some StateStore, audit: AuditLog,
                              actor: String, now: Date) -> Result<Change?, Diagnostic> {
        let id = ResourceID(org: org, kind: .member, key: email.lowercased())
        guard let before = state.resources[id] else {
            let known = state.organizations.contains(org)
            return .failure(.error(known ? "\(email) is not a member of org '\(org)' in the state"
                                         : "org '\(org)' is not in the state", at: nil))
        }
        guard before["status"] != .string("active") else { return .success(nil) }
        var after = before
        after["status"] = .string("active")
        after["accepted_at"] = .string(Timestamp.format(now))
        let change = Change(action: .update, id: id, before: before, after: after, reason: .invitationAccepted, location: nil)
        var next = state
        next.apply(change)
        next.serial += 1
        do {
            try store.write(next)
            try audit.append([AuditRecord(time: Date(), actor: actor, change: change, result: "ok")])
        } catch {
            return .failure(.error(error.description, at: nil))
        }
        return .success(change)
    }
}
