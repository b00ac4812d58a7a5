import Foundation

/// One step of a plan.
public struct Change: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        case create
        case update
        case delete
    }

    public enum Reason: Sendable, Hashable, Codable, CustomStringConvertible {
        case added
        case changed
        case removedFromManifests
        /// A member removed before accepting: the pending invitation is cancelled.
        case invitationCancelled
        /// A pending invitation older than `invitation_ttl` is sent again (`since` = first sent).
        case invitationResent(since: String)
        /// `rolecall state accept` recorded that the invitation was accepted.
        case invitationAccepted
        /// An API key's `rotate_every` has passed since it was created or last rotated (`since`).
        case rotationDue(since: String)
        /// The access ended at an expiry (`on` as written); `via` names the member whose expiry it was.
        case expired(on: String, via: String?)

        public var description: String {
            switch self {
            case .added: return "added"
            case .changed: return "changed"
            case .removedFromManifests: return "removed from manifests"
            case .invitationCancelled: return "removed from manifests; pending invitation cancelled"
            case let .invitationResent(since): return "invitation re-sent: pending since \(since), longer than invitation_ttl"
            case .invitationAccepted: return "invitation accepted"
            case let .rotationDue(since): return "rotation due: not rotated since \(since), longer than rotate_every"
            case let .expired(on, via): return "expired on \(on)" + (via.map { " (\($0))" } ?? "")
            }
        }

        public var isExpiry: Bool {
            if case .expired = self { return true }
            return false
        }
    }

    public var action: Action
    public var id: ResourceID
    public var before: Attributes?
    public var after: Attributes?
    public var reason: Reason
    /// The manifest place that caused the change (the declaration, or the expiry); nil for removals.
    public var location: SourceLocation?

    /// Attribute names whose value differs, sorted.
    public var changedAttributes: [String] {
        let keys = Set((before ?? [:]).keys).union((after ?? [:]).keys)
        return keys.filter { before?[$0] != after?[$0] }.sorted()
    }
}

/// Something a reviewer should know that is not a change.
public struct Notice: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case expiresSoon = "expires_soon"
        case invitationPending = "invitation_pending"
        case reviewDue = "review_due"
    }

    public var kind: Kind
    public var id: ResourceID
    public var message: String
    public var location: SourceLocation?
}

/// The ordered changes that turn the current state into the desired one, with notices.
public struct Plan: Sendable {
    public var changes: [Change]
    public var notices: [Notice]
    /// When the plan was computed (expiries were evaluated at this instant).
    public var evaluatedAt: Date
    /// The first expiry after `evaluatedAt`: past it, the plan is stale.
    public var nextExpiry: Date?
    /// The state this plan was made against.
    public var lineage: String
    public var serial: Int
    /// SHA-256 of the desired state the plan was made from (hex).
    public var manifestDigest: String
    /// True when only expiry revocations were kept (`--only-expired`).
    public var onlyExpired: Bool
    /// What the plan changes in people's effective access (reviewers think in people, not bindings).
    public var accessChanges: [AccessChange] = []
    /// Every policy rule's verdict, org by org (`settings.policy`; see `Policies.results`).
    public var policies: [PolicyResult] = []
    /// Per org, what a reader needs to read its changes: time zone, own domains (see `describeOrgs`).
    public var context: [String: OrgContext] = [:]

    public var isEmpty: Bool { changes.isEmpty }

    public struct Summary: Sendable, Hashable, Codable {
        public var add: Int
        public var change: Int
        public var remove: Int
        public var expired: Int
    }

    public var summary: Summary {
        Summary(add: changes.count { $0.action == .create }, change: changes.count { $0.action == .update },
                remove: changes.count { $0.action == .delete }, expired: changes.count { $0.reason.isExpiry })
    }

    /// `Plan: 3 to add, 1 to change, 2 to remove (1 expired).` or `No changes.`
    public var summaryLine: String {
        if changes.isEmpty { return "No changes." }
        let s = summary
        let expired = s.expired > 0 ? " (\(s.expired) expired)" : ""
        return "Plan: \(s.add) to add, \(s.change) to change, \(s.remove) to remove\(expired)."
    }

    public var organizations: [String] { Array(Set(changes.map(\.id.org)).union(notices.map(\.id.org))).sorted() }
}
