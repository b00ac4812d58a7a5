import Foundation

/// Why a saved plan may no longer be applied.
public enum Staleness: Sendable, Equatable, CustomStringConvertible {
    case otherLineage(plan: String, state: String)
    case serialMoved(plan: Int, state: Int)
    case expiryPassed(String)

    public var description: String {
        switch self {
        case let .otherLineage(plan, state):
            return "plan is stale: re-run plan (it was made for state lineage \(plan), this state is \(state))"
        case let .serialMoved(plan, state):
            return "plan is stale: re-run plan (the state changed since planning: serial \(plan) -> \(state))"
        case let .expiryPassed(at):
            return "plan is stale: re-run plan (an expiry passed at \(at), after the plan was made)"
        }
    }

    /// Checks a saved plan against the current state and clock.
    public static func check(_ plan: Plan, state: State, now: Date) -> Staleness? {
        if plan.lineage != state.lineage { return .otherLineage(plan: plan.lineage, state: state.lineage) }
        if plan.serial != state.serial { return .serialMoved(plan: plan.serial, state: state.serial) }
        if let boundary = plan.nextExpiry, boundary <= now { return .expiryPassed(Timestamp.format(boundary)) }
        return nil
    }
}

/// An apply evaluated before the state's last evaluation would re-grant access that expired in between
/// (`apply --now` in the past); it is refused unless `--allow-backdate`.
public enum Backdating {
    public static func check(_ plan: Plan, state: State) -> Diagnostic? {
        guard !plan.isEmpty, let last = state.evaluatedAt, plan.evaluatedAt < last else { return nil }
        return .error(.backdated, "the plan was evaluated at \(Timestamp.format(plan.evaluatedAt)), before the state's last evaluation at "
                      + "\(Timestamp.format(last)): it would re-grant access that has expired since; nothing applied",
                      at: nil, notes: [DiagnosticNote("if this is intended, re-run with --allow-backdate")])
    }
}

public struct ApplyOutcome: Sendable {
    /// The state as last saved (the state the run started from when nothing was saved).
    public var state: State
    /// The changes applied and saved, in order.
    public var applied: [Change]
    /// The change that failed and why; nil when every change was applied.
    public var failure: (change: Change, message: String)?
    /// Every change that failed, in order (more than one when the target goes on after a failure).
    public var failures: [(change: Change, message: String)] = []
    /// Why the run stopped saving (a state write or an observer failed); the changes of that batch were
    /// carried out by the target but are not in `state`.
    public var saveError: String?
}

/// Runs a plan's changes in order through a target, saving the state after every batch (see
/// `BatchPolicy`) through the backend, under the lock the caller holds, and telling observers.
public struct Applier: Sendable {
    public var backend: any StateBackend
    public var lock: any StateLock
    public var observers: [any ApplyObserver]
    public var clock: @Sendable () -> Date

    public init(backend: any StateBackend, lock: any StateLock, observers: [any ApplyObserver] = [],
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.backend = backend
        self.lock = lock
        self.observers = observers
        self.clock = clock
    }

    /// What a run has done so far.
    private struct Progress {
        var working: State
        var saved: State
        var savedVersion: StateVersion?
        var applied: [Change] = []
        var batch: [ChangeResult] = []
        var batchStarted: Date
        var failure: (change: Change, message: String)?
        var failures: [(change: Change, message: String)] = []
        var saveError: String?

        var outcome: ApplyOutcome {
            ApplyOutcome(state: saved, applied: applied, failure: failure, failures: failures, saveError: saveError)
        }
    }

    public func run(_ plan: Plan, on state: State, target: some ApplyTarget) async -> ApplyOutcome {
        var progress = Progress(working: state, saved: state, savedVersion: StateVersion(of: state), batchStarted: clock())
        // Every state this run saves records the instant its plan was evaluated at.
        progress.working.evaluatedAt = plan.evaluatedAt
        if !plan.changes.isEmpty, let version = progress.savedVersion {
            // Refused before the target does anything: a state at the end of the serial range can record nothing.
            do { _ = try version.nextSerial(in: backend.location) } catch {
                progress.saveError = error.description
                return progress.outcome
            }
        }
        target.prepare(plan, state: state)
        for observer in observers { await observer.willStart(changes: plan.changes.count) }
        let policy = target.batching
        for (index, change) in plan.changes.enumerated() {
            let result: ChangeResult
            do {
                let resource = try await target.apply(change)
                result = ChangeResult(change: change, outcome: .applied(resource), time: clock())
                progress.working.apply(Self.recorded(change, as: resource))
            } catch {
                result = ChangeResult(change: change, outcome: .failed(String(describing: error)), time: clock())
                if progress.failure == nil { progress.failure = (change, String(describing: error)) }
                progress.failures.append((change, String(describing: error)))
            }
            for observer in observers { await observer.didFinish(result, index: index, of: plan.changes.count) }
            progress.batch.append(result)
            if progress.failure != nil, !target.continuesAfterFailure { break }
            if progress.batch.count >= policy.maxChanges || clock().timeIntervalSince(progress.batchStarted) >= policy.maxInterval {
                guard await commit(&progress) else { return progress.outcome }
            }
        }
        _ = await commit(&progress)
        return progress.outcome
    }

    /// The change as the state records it: the target's view of the resource when it reported one, and
    /// where the manifests declare it (`declared_at`, state-only), so that its removal can say where it was.
    static func recorded(_ change: Change, as resource: AppliedResource?) -> Change {
        guard change.action != .delete else { return change }
        var recorded = change
        if let resource { recorded.after = resource.recorded }
        if let location = change.location, recorded.after != nil {
            recorded.after?[State.declaredAtAttribute] = .string(location.description)
        }
        return recorded
    }

    /// Saves the batch: observers first (the audit log is flushed), then the state. False when the run must stop.
    private func commit(_ progress: inout Progress) async -> Bool {
        let batch = progress.batch
        progress.batch = []
        progress.batchStarted = clock()
        guard !batch.isEmpty else { return true }
        do {
            for observer in observers { try await observer.willCommit(batch) }
        } catch {
            progress.saveError = String(describing: error)
            return false
        }
        guard batch.contains(where: \.succeeded) else { return true }
        var next = progress.working
        do {
            if next.lineage.isEmpty { next.lineage = UUID().uuidString.lowercased() }
            next.serial = try progress.savedVersion?.nextSerial(in: backend.location) ?? max(next.serial, 1)
            try backend.write(next, replacing: progress.savedVersion, holding: lock)
        } catch {
            progress.saveError = error.description
            for observer in observers { await observer.commitFailed(batch, error: error) }
            return false
        }
        progress.working = next
        progress.saved = next
        progress.savedVersion = StateVersion(of: next)
        progress.applied += batch.lazy.filter(\.succeeded).map(\.change)
        for observer in observers { await observer.didCommit(batch, serial: next.serial) }
        return true
    }
}
