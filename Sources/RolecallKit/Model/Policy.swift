import Foundation

/// An org's policy guardrails (`settings.policy`): rules the manifests themselves must keep
/// (checked by `validate`, `plan` and `apply`), and roles whose changes need `--allow-protected`.
public struct Policy: Sendable, Hashable {
    /// E-mail domains of the org's own people, in lower case. A member whose address is in one of
    /// them, or in a subdomain of one (`eu.acme.com` for `acme.com`), is internal; anyone else external.
    public var internalDomains: [Located<String>] = []
    /// Externals must have an expiry within this many days of today.
    public var externalMaxDays: Located<Int>?
    /// Every grant and team role must have an expiry within this many days of today.
    public var maxGrantDays: Located<Int>?
    /// Kinds of declaration that must carry a `ticket:`.
    public var requireTicket: [Located<JustifiedKind>] = []
    /// Kinds of declaration that must carry a `reason:`.
    public var requireReason: [Located<JustifiedKind>] = []
    /// Roles whose grant, removal or change needs `apply --allow-protected`.
    public var protectedRoles: [Located<String>] = []
    /// Where `policy:` was written.
    public var location: SourceLocation

    public init(location: SourceLocation) {
        self.location = location
    }

    /// Whether `email` (lower case) is outside every internal domain. With no internal domains
    /// declared, nobody is external (rolecall cannot tell).
    public func isExternal(_ email: String) -> Bool {
        guard !internalDomains.isEmpty, let at = email.lastIndex(of: "@") else { return false }
        let domain = email[email.index(after: at)...]
        return !internalDomains.contains { domain == $0.value || domain.hasSuffix("." + $0.value) }
    }
}

/// What `require_ticket` and `require_reason` can name.
public enum JustifiedKind: String, Sendable, Hashable, CaseIterable {
    /// Entries under `grants:`.
    case grants
    /// Roles under a team's `roles:`.
    case teamRoles = "team_roles"
    /// Every entry under `members:`.
    case members
    /// Members whose address is outside `internal_domains`.
    case externalMembers = "external_members"
    /// Entries under a team's `members:`.
    case teamMembers = "team_members"
}
