import Foundation

/// The validated desired state: what the manifests declare, merged across files and documents,
/// with identities normalised and every entity sorted by its key, so the same declarations in any
/// file order give an equal model. Every entity keeps where it was declared, for diagnostics and
/// for explaining plan changes.

/// A value with the place it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// The whole desired state: every organization the manifests name, sorted by name.
public struct Manifest: Sendable, Hashable {
    public var organizations: [Organization]

    public init(organizations: [Organization]) {
        self.organizations = organizations
    }

    public func organization(named name: String) -> Organization? {
        organizations.first { $0.name == name }
    }
}

public struct Organization: Sendable, Hashable {
    public var name: String
    /// The first `org:` line that names it.
    public var location: SourceLocation
    public var settings: Settings
    public var apps: [App]
    public var roles: [CustomRole]
    public var members: [Member]
    public var teams: [Team]
    /// Direct grants and team roles (a team's inline `roles:` are grants whose subject is the team).
    public var grants: [Grant]
    /// API keys (`api_keys:`), sorted by name.
    public var apiKeys: [APIKey] = []

    public var catalog: RoleCatalog { RoleCatalog.builtin(settings.catalog) }

    public func member(_ email: String) -> Member? {
        let key = email.lowercased()
        return members.first { $0.email == key }
    }
}

public struct Settings: Sendable, Hashable {
    public var catalog: CatalogID
    public var plan: String?
    public var seats: Int?
    /// IANA time zone identifier; `UTC` by default.
    public var timezone: String
    /// Most members one plan may remove (count or share); nil for no limit.
    public var maxRemovals: RemovalLimit?
    /// How long an invitation may stay pending before the plan sends it again, in seconds.
    public var invitationTTL: TimeInterval = Settings.defaultInvitationTTL
    /// Policy guardrails (`settings.policy`); nil when the org sets none.
    public var policy: Policy?
    /// How often access must be reviewed, in days (`review_every`); nil when the org sets none.
    public var reviewEvery: Located<Int>?

    /// `invitation_ttl` when the settings do not name one: 14 days.
    public static let defaultInvitationTTL: TimeInterval = 14 * 86_400
    /// Where the settings were declared; nil when the org has none (all defaults).
    public var location: SourceLocation?

    public init(catalog: CatalogID = .custom, plan: String? = nil, seats: Int? = nil, timezone: String = "UTC",
                location: SourceLocation? = nil) {
        self.catalog = catalog
        self.plan = plan
        self.seats = seats
        self.timezone = timezone
        self.location = location
    }
}

public enum Visibility: String, Sendable, Hashable, Codable, CaseIterable {
    case `public`
    case `private`
}

public struct App: Sendable, Hashable {
    public var name: String
    public var visibility: Visibility
    public var description: String?
    public var location: SourceLocation
}

public struct CustomRole: Sendable, Hashable {
    public var name: String
    public var scope: RoleScope
    /// Sorted, without duplicates.
    public var permissions: [String]
    public var description: String?
    public var location: SourceLocation
}

/// When access ends. A date-only expiry lasts through that day in the org's time zone.
public struct Expiry: Sendable, Hashable {
    /// The first instant at which the access no longer exists.
    public var endsAt: Date
    /// As written in the manifest (`2026-07-15` or an RFC 3339 timestamp).
    public var written: String
    /// For a date-only expiry, the last day of access.
    public var lastDay: CalendarDay?
    public var location: SourceLocation

    /// True when the access no longer exists at `now`.
    public func hasPassed(at now: Date) -> Bool { endsAt <= now }

    /// Re-reads a date-only expiry in the org's time zone.
    func resolved(in zone: TimeZone) -> Expiry {
        guard let lastDay else { return self }
        var copy = self
        copy.endsAt = lastDay.next().start(in: zone)
        return copy
    }
}

/// Why and on whose word access exists: the ticket and reason a reviewer wants to see.
public struct Justification: Sendable, Hashable {
    public var ticket: String?
    public var reason: String?

    public init(ticket: String? = nil, reason: String? = nil) {
        self.ticket = ticket
        self.reason = reason
    }
}

public struct Member: Sendable, Hashable {
    /// Identity key: the e-mail address in lower case.
    public var email: String
    /// The address as written, for display.
    public var writtenEmail: String
    public var name: String?
    public var role: Located<String>
    public var sso: Bool
    public var expires: Expiry?
    public var justification: Justification
    public var location: SourceLocation
    /// `reviewed:` and `review_every:`.
    public var review = ReviewDates()
}

public struct TeamMembership: Sendable, Hashable {
    /// Lower-case e-mail of an org member.
    public var email: Located<String>
    public var expires: Expiry?
    public var justification: Justification
}

public struct Team: Sendable, Hashable {
    public var name: String
    public var description: String?
    /// Sorted by e-mail.
    public var members: [TeamMembership]
    public var location: SourceLocation
}

/// Who a grant is for.
public enum Subject: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A member, by lower-case e-mail.
    case member(String)
    /// A team, by name.
    case team(String)

    public var description: String {
        switch self {
        case let .member(email): return "member \(email)"
        case let .team(name): return "team \(name)"
        }
    }
}

/// A role binding: a subject holds a role on the org (app == nil) or on one app.
public struct Grant: Sendable, Hashable {
    public var subject: Located<Subject>
    public var role: Located<String>
    public var app: Located<String>?
    public var expires: Expiry?
    public var justification: Justification
    /// Role attributes (LaunchDarkly style), values sorted.
    public var attributes: [String: [String]]
    public var location: SourceLocation
    /// Where it was declared: under `grants:` or under a team's `roles:`.
    public var origin: GrantOrigin = .grants
    /// `reviewed:` and `review_every:` (direct grants only).
    public var review = ReviewDates()

    /// Identity of the binding: one subject holds one role on one scope once.
    public var key: GrantKey { GrantKey(subject: subject.value, role: role.value, app: app?.value) }
}

/// Where a grant was declared (policies treat the two kinds apart: `require_ticket: [team_roles]`).
public enum GrantOrigin: String, Sendable, Hashable {
    case grants
    case teamRoles = "team_roles"
}

public struct GrantKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var subject: Subject
    public var role: String
    public var app: String?

    public static func < (a: GrantKey, b: GrantKey) -> Bool {
        (a.subject, a.role, a.app ?? "") < (b.subject, b.role, b.app ?? "")
    }

    public var description: String {
        "\(subject) as \(role) on " + (app.map { "app \($0)" } ?? "the org")
    }
}
