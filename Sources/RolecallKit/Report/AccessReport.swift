import Foundation

/// What an access review meeting looks at (`rolecall report`), worked out once and rendered as
/// Markdown or HTML: per org, people x apps with each cell's role and how it came, externals, pending
/// invitations, access expiring soon, overdue reviews, API keys and their rotation, a timeline of the
/// coming days; and the log's recent changes.
public struct AccessReport: Sendable {
    public var generatedAt: Date
    /// Where the access comes from ("state rolecall.state.json (serial 4)" or "manifests").
    public var source: String
    public var orgs: [Org]
    /// Newest first.
    public var recentChanges: [AuditEntry]
    /// Where the recent changes come from (the audit log's path), nil when there is none.
    public var auditSource: String?
    public static let expiringDays = 30
    public static let timelineDays = 90
    public static let recentChangesShown = 25

    public struct Org: Sendable {
        public var name: String
        public var catalog: CatalogID
        /// Column heads of the matrix: the org itself (nil), then every app.
        public var scopes: [String?]
        public var rows: [Row]
        /// nil when the org names no `internal_domains` (externals cannot be told).
        public var externals: [Row]?
        public var pending: [(email: String, since: String?)]
        public var expiring: [Event]
        public var overdueReviews: [ReviewItem]
        public var keys: [Key]
        public var timeline: [Event]
    }

    public struct Row: Sendable {
        public var email: String
        public var status: String
        public var cells: [Cell]
    }

    public struct Cell: Sendable {
        /// The effective role, nil for no access.
        public var role: String?
        /// How it came: `base`, `team NAME`, `grant`, `org role R`.
        public var how: [String]
        /// 0 no access, up to 1 for the most permissive role of the scope (the heat map's shade).
        public var weight: Double
    }

    public struct Event: Sendable {
        public enum Kind: String, Sendable { case expiry, review, rotation }
        public var at: Date
        public var kind: Kind
        public var what: String
    }

    public struct Key: Sendable {
        public var name: String
        public var app: String
        public var access: String
        public var owner: String
        public var purpose: String?
        public var lastRotated: String?
        public var rotationDue: Date?
        public var expires: String?
        public var ticket: String?
        public func isDue(at now: Date) -> Bool { rotationDue.map { $0 <= now } ?? false }
    }

    /// All events of the report, in time order (for tests and the Markdown timeline).
    public var allEvents: [Event] { orgs.flatMap(\.timeline).sorted { $0.at < $1.at } }
}
