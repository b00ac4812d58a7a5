import Foundation

/// Removing a whole org (its manifests are gone, the state still records it) is never implied: it
/// needs `--allow-removals N` covering the N members it removes.
public struct OrgRemovalRule: PlanPolicy {
    public init() {}

    public func check(_ context: PolicyContext) -> [Diagnostic] {
        guard context.orgIsRemoved else { return [] }
        let gone = RemovalLimitRule.removedMembers(context)
        if let allowed = context.options.allowRemovals, allowed >= gone { return [] }
        return [.error(.orgRemoval, "plan removes org '\(context.org)' and its \(plural(gone, "member")): no manifest declares it any more",
                       at: nil, notes: [DiagnosticNote("if this is intended, re-run with --allow-removals \(gone)")])]
    }
}
