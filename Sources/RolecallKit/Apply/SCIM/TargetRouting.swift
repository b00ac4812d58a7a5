import Foundation
import Synchronization

/// The target of a run over several orgs: each org whose settings name a SCIM target goes to its
/// `ScimTarget` (made once the plan is known), every other org is record-only.
public final class RoutingTarget: ApplyTarget {
    public typealias Maker = @Sendable (Plan, State) -> ScimTarget
    private let makers: [String: Maker]
    /// The org targets, made by `prepare` (a Mutex: written once before the run, then only read).
    private let targets = Mutex<[String: ScimTarget]>([:])

    public init(makers: [String: Maker]) {
        self.makers = makers
    }

    public var orgs: [String] { makers.keys.sorted() }

    public func prepare(_ plan: Plan, state: State) {
        let made = makers.mapValues { $0(plan, state) }
        targets.withLock { $0 = made }
    }

    public func apply(_ change: Change) async throws -> AppliedResource? {
        guard let target = targets.withLock({ $0[change.id.org] }) else {
            return try await RecordOnlyTarget().apply(change)
        }
        return try await target.apply(change)
    }

    public var batching: BatchPolicy { makers.isEmpty ? .wholeRun : .standard }
    public var continuesAfterFailure: Bool { !makers.isEmpty }
}

/// A state backend whose `read` answers the refreshed state (the server's view folded in) while the
/// stored state is still the version that was refreshed; writes, locks and the rest go to the backend.
public struct RefreshedBackend: StateBackend {
    public let base: any StateBackend
    public let refreshed: State
    /// The stored version the refresh started from (nil: there was no state).
    public let from: StateVersion?

    public init(base: any StateBackend, refreshed: State, from: StateVersion?) {
        self.base = base
        self.refreshed = refreshed
        self.from = from
    }

    public var location: String { base.location }
    public var description: String { base.description }

    public func read() throws(StateError) -> State? {
        let current = try base.read()
        let version = current.flatMap { StateVersion(of: $0) }
        guard version == from else { return current }   // someone wrote since: their state, unrefreshed
        return refreshed
    }

    public func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock {
        try base.lock(owner: owner, timeout: timeout)
    }

    public func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError) {
        try base.write(state, replacing: expected, holding: lock)
    }

    public func unlock(_ lock: any StateLock) { base.unlock(lock) }
    public func ownsFile(atPath path: String) -> Bool { base.ownsFile(atPath: path) }
}

/// `RefreshedBackend` over a backend that records the audit log with the state (PostgreSQL): the
/// audit calls go through, so a refreshed apply keeps its transactional audit.
public struct RefreshedAuditingBackend: AuditingStateBackend {
    public let refreshed: RefreshedBackend
    let auditing: any AuditingStateBackend

    public init(base: any AuditingStateBackend, refreshed: State, from: StateVersion?) {
        self.refreshed = RefreshedBackend(base: base, refreshed: refreshed, from: from)
        auditing = base
    }

    public var location: String { refreshed.location }
    public var description: String { refreshed.description }
    public func read() throws(StateError) -> State? { try refreshed.read() }
    public func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock {
        try refreshed.lock(owner: owner, timeout: timeout)
    }
    public func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError) {
        try refreshed.write(state, replacing: expected, holding: lock)
    }
    public func unlock(_ lock: any StateLock) { refreshed.unlock(lock) }
    public func ownsFile(atPath path: String) -> Bool { refreshed.ownsFile(atPath: path) }
    public func stageAudit(_ records: [AuditRecord]) { auditing.stageAudit(records) }
    public func appendAudit(_ records: [AuditRecord]) throws(StateError) { try auditing.appendAudit(records) }
}
