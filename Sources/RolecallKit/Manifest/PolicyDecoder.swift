import Foundation

/// Decoding of `settings.policy` (see `Policy`): every field keeps where it was written, and every
/// wrong shape, unknown key or value is reported there.
extension DocumentDecoder {
    static let policyKeys = ["internal_domains", "external_max_days", "max_grant_days", "require_ticket", "require_reason",
                             "protected_roles"]

    func policy(_ node: YAMLNode) -> Policy? {
        guard let f = Fields(node, what: "policy", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.policyKeys)
        var policy = Policy(location: f.location)
        policy.internalDomains = strings(f, "internal_domains", "domain").compactMap(domain)
        policy.externalMaxDays = days(f, "external_max_days")
        policy.maxGrantDays = days(f, "max_grant_days")
        policy.requireTicket = kinds(f, "require_ticket")
        policy.requireReason = kinds(f, "require_reason")
        policy.protectedRoles = strings(f, "protected_roles", "role").filter { role in
            guard let problem = Scalars.roleNameProblem(role.value) else { return true }
            sink.error(.invalidPolicy, "invalid role name '\(role.value)' in 'protected_roles': \(problem)", at: role.location)
            return false
        }
        if policy.externalMaxDays != nil || policy.requireTicket.contains(where: { $0.value == .externalMembers })
            || policy.requireReason.contains(where: { $0.value == .externalMembers }), policy.internalDomains.isEmpty {
            sink.error(.invalidPolicy, "policy names rules for external members but no 'internal_domains'; without them nobody is external",
                       at: f.location, notes: [DiagnosticNote("add 'internal_domains: [your-company.com]'")])
        }
        return policy
    }

    /// The strings of a list, each with its place; a value listed twice is kept once.
    private func strings(_ f: Fields, _ key: String, _ what: String) -> [Located<String>] {
        var seen = Set<String>()
        return (f.list(key) ?? []).compactMap { item in
            guard let value = Fields.string(item, named: what, in: document, sink: sink) else { return nil }
            return seen.insert(value.value).inserted ? value : nil
        }
    }

    /// A day count: a whole number, 0 or more.
    private func days(_ f: Fields, _ key: String) -> Located<Int>? {
        guard let days = f.int(key) else { return nil }
        guard days.value >= 0 else {
            sink.error(.invalidPolicy, "'\(key)' must be 0 or more days, found \(days.value)", at: days.location)
            return nil
        }
        return days
    }

    /// An internal domain, in lower case: what follows `@` in an address.
    private func domain(_ written: Located<String>) -> Located<String>? {
        let text = written.value
        if text.hasPrefix("*.") || text.hasPrefix("@") {
            let bare = text.hasPrefix("@") ? String(text.dropFirst()) : String(text.dropFirst(2))
            sink.error(.invalidPolicy, "invalid domain '\(text)' in 'internal_domains': write it as '\(bare)' (subdomains count as internal)",
                       at: written.location)
            return nil
        }
        if text.contains("@") {
            sink.error(.invalidPolicy, "invalid domain '\(text)' in 'internal_domains': write the domain only, without a name and '@'",
                       at: written.location)
            return nil
        }
        if let problem = text.isEmpty ? "it is empty" : Scalars.emailProblem("name@" + text) {
            sink.error(.invalidPolicy, "invalid domain '\(text)' in 'internal_domains': \(problem)", at: written.location)
            return nil
        }
        return Located(text.lowercased(), at: written.location)
    }

    /// `require_ticket` / `require_reason`: kinds of declaration, with a did-you-mean for a misspelling.
    private func kinds(_ f: Fields, _ key: String) -> [Located<JustifiedKind>] {
        let names = JustifiedKind.allCases.map(\.rawValue)
        return strings(f, key, "kind").compactMap { written in
            if let kind = JustifiedKind(rawValue: written.value) { return Located(kind, at: written.location) }
            sink.error(.invalidPolicy, "unknown kind '\(written.value)' in '\(key)'" + Suggest.hint(for: written.value, among: names),
                       at: written.location, notes: [DiagnosticNote("kinds are: " + names.joined(separator: ", "))])
            return nil
        }
    }
}
