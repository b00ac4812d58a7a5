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
