import Foundation

/// What a reader of a plan needs to know about each org to read its changes: the time zone its
/// date-only expiries are written in (so `2026-12-21T05:00:00Z` reads `through 2026-12-20
/// (America/New_York)`), and its own e-mail domains (so people from elsewhere are flagged).
public struct OrgContext: Sendable, Hashable, Codable {
    /// A tz database name; `UTC` when the org sets none.
    public var timezone: String
    /// The org's own domains, in lower case: `settings.policy.internal_domains`, else the domain most
    /// of its members' addresses are in (all of them on a tie).
    public var internalDomains: [String]
    /// `policy` or `members`: where `internalDomains` come from.
    public var domainsFrom: String

    enum CodingKeys: String, CodingKey {
        case timezone
        case internalDomains = "internal_domains"
        case domainsFrom = "internal_domains_from"
    }

    public init(timezone: String, internalDomains: [String], domainsFrom: String) {
        self.timezone = timezone
        self.internalDomains = internalDomains
        self.domainsFrom = domainsFrom
    }

    /// Whether `email` is outside every internal domain (a subdomain of one counts as inside). Nobody
    /// is external when the org has no domains at all.
    public func isExternal(_ email: String) -> Bool {
        guard !internalDomains.isEmpty, let at = email.lastIndex(of: "@") else { return false }
        let domain = email[email.index(after: at)...].lowercased()
        return !internalDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }

    /// The domain most of `emails` are in; every one of the most frequent on a tie.
    static func commonDomains(_ emails: some Sequence<String>) -> [String] {
        // Counted as written, then merged in lower case: most addresses share a few spellings of a
        // domain, so lower-casing each address's domain would make a string per address for nothing.
        var written: [Substring: Int] = [:]
        for email in emails {
            guard let at = email.utf8.lastIndex(of: UInt8(ascii: "@")) else { continue }
            written[email[email.index(after: at)...], default: 0] += 1
        }
        var counts: [String: Int] = [:]
        for (domain, count) in written { counts[domain.lowercased(), default: 0] += count }
        guard let most = counts.values.max() else { return [] }
        return counts.filter { $0.value == most }.keys.sorted(by: byteOrder)
    }
}

extension Plan {
    /// Records each org's context (from the manifests, else the state for an org they no longer declare)
    /// and flags access changes of external members.
    public mutating func describeOrgs(manifest: Manifest, state: State) {
        var orgs = Set(changes.map(\.id.org)).union(notices.map(\.id.org)).union(accessChanges.map(\.org))
        orgs.formUnion(policies.map(\.org))
        var declared: [String: Organization] = [:]
        for org in manifest.organizations where orgs.contains(org.name) { declared[org.name] = org }
        var recorded: [String: (timezone: String?, emails: [String])] = [:]
        if orgs.contains(where: { declared[$0] == nil }) {
            for (id, attributes) in state.resources where orgs.contains(id.org) && declared[id.org] == nil {
                if id.kind == .member { recorded[id.org, default: (nil, [])].emails.append(id.key) }
                if id.kind == .settings, case let .string(zone)? = attributes["timezone"] { recorded[id.org, default: (nil, [])].timezone = zone }
            }
        }
        for org in orgs {
            if let o = declared[org] {
                let policyDomains = (o.settings.policy?.internalDomains ?? []).map { $0.value.lowercased() }
                context[org] = policyDomains.isEmpty
                    ? OrgContext(timezone: o.settings.timezone, internalDomains: OrgContext.commonDomains(o.members.map(\.email)),
                                 domainsFrom: "members")
                    : OrgContext(timezone: o.settings.timezone, internalDomains: policyDomains.sorted(by: byteOrder), domainsFrom: "policy")
            } else {
                let r = recorded[org]
                context[org] = OrgContext(timezone: r?.timezone ?? "UTC", internalDomains: OrgContext.commonDomains(r?.emails ?? []),
                                          domainsFrom: "members")
            }
        }
        for i in accessChanges.indices where context[accessChanges[i].org]?.isExternal(accessChanges[i].email) == true {
            accessChanges[i].external = true
        }
    }
}
