import Foundation

/// An org keeps at least one active holder of its owner-like top role: a plan may not remove or
/// demote the last one. A pending holder (invited, not accepted) does not count, neither as one the
/// org has nor as one it keeps. An org removed as a whole is `OrgRemovalRule`'s to guard.
public struct LastOwnerRule: PlanPolicy {
    public init() {}

    public func check(_ context: PolicyContext) -> [Diagnostic] {
        guard let role = context.topRole, !context.activeHolders.isEmpty, !context.orgIsRemoved else { return [] }
        var remaining = context.activeHolders
        for change in context.changes where change.id.kind == .member {
            if change.action != .delete, change.after?["role"] == .string(role), !PolicyContext.isPending(change.after) {
                remaining.insert(change.id.key)
            } else {
                remaining.remove(change.id.key)
            }
        }
        guard remaining.isEmpty else { return [] }
        let had = context.activeHolders.sorted().joined(separator: ", ")
        return [.error(.lastOwner, "plan removes the last \(role) of org '\(context.org)' (\(had)); an org must keep one",
                       at: nil, notes: [DiagnosticNote("declare another member with role '\(role)' first")])]
    }
}
