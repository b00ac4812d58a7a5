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
        // An address whose bytes after the `@` are those of the one before is counted with it,
        // without hashing (members come sorted, and often all in one domain: 15 ms of a 100k-member
        // org's plan, on one core at its end, became 3).
        var written: [Substring: Int] = [:]
        var run: (domain: Substring, bytes: [UInt8], count: Int)?
        for email in emails {
            let sameDomain = email.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard let run, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
                return bytes[(at + 1)...].elementsEqual(run.bytes)
            }
            if sameDomain == true {
                run?.count += 1
                continue
            }
            guard let at = email.utf8.lastIndex(of: UInt8(ascii: "@")) else { continue }
            if let current = run { written[current.domain, default: 0] += current.count }
            let domain = email[email.index(after: at)...]
            run = (domain, Array(email.utf8[email.utf8.index(after: at)...]), 1)
        }
        if let current = run { written[current.domain, default: 0] += current.count }
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
                    ? OrgContext(timezone: o.settings.timezone, internalDomains: Self.commonDomains(of: o.members),
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

    /// The members' common domains, their addresses read in place (a copy of each member to read its
    /// address took 6 ms of the 100k-member org's plan).
    private static func commonDomains(of members: [Member]) -> [String] {
        members.withUnsafeBufferPointer { members in OrgContext.commonDomains(members.indices.lazy.map { members[$0].email }) }
    }
}
