import Foundation

/// What a plan is made for: the instant, and the choices of the command line.
public struct PlanOptions: Sendable {
    public var now: Date
    /// Keep only revocations whose reason is an expiry: what the scheduled job runs.
    public var onlyExpired = false
    /// Notice grants and memberships that expire within this many seconds.
    public var warnWithin: TimeInterval = 14 * 86_400
    /// Overrides every org's `max_removals` (see `RemovalLimitRule`).
    public var maxRemovals: RemovalLimit?
    /// Acknowledges up to this many member removals per org over the limit, and the removal of a
    /// whole org with at most this many members (see `OrgRemovalRule`).
    public var allowRemovals: Int?
    /// What a change to a role in `settings.policy.protected_roles` does (see `ProtectedRolesRule`).
    public var protectedChanges: ProtectedChanges = .notice
    /// Compute the SHA-256 digest of the desired state (needed for saved plans and JSON output; on a
    /// 100k-member org it is a fifth of a no-op plan's time, so text plans skip it).
    public var digest = true

    public init(now: Date) {
        self.now = now
    }
}

/// What a plan does with a change to a protected role.
public enum ProtectedChanges: Sendable, Hashable {
    /// `plan`: a warning, so reviewers see it.
    case notice
    /// `apply`: an error that stops the apply.
    case refuse
    /// `apply --allow-protected`: allowed.
    case allow
}
