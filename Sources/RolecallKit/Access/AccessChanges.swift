import Foundation

/// How one person's effective access on one scope changes with a plan: what reviewers read.
public struct AccessChange: Sendable, Hashable, Codable {
    public var org: String
    public var email: String
    /// nil for the org itself.
    public var app: String?
    /// Effective role before and after; nil for no access.
    public var before: String?
    public var after: String?
    /// Why, in words: `grant, until 2026-07-15T00:00:00Z, IAM-1234`, `team support`, `access removed`.
    public var cause: String

    /// `jane@acme.com  production: viewer -> admin (grant, until …, IAM-1234)`
    public var line: String {
        "\(email)  \(app ?? "org"): \(before ?? "none") -> \(after ?? "none") (\(cause))"
    }
}

extension EffectiveAccess {
    /// Per person and scope, what changes between two sets of resources (only scopes that change).
    /// `only` limits the people looked at (org -> e-mails, `*` for everyone in an org).
    public static func changes(from before: some Sequence<(key: ResourceID, value: Attributes)>,
                               to after: some Sequence<(key: ResourceID, value: Attributes)>, now: Date,
                               only: [String: Set<String>]? = nil) -> [AccessChange] {
        // Org by org, person by person: each person's access before and after is worked out, compared
        // and dropped, so a plan that touches everyone never holds everyone's access twice.
        let oldOrgs = Dictionary(OrgIndex.build(before, now: now, only: only).map { ($0.org, $0) }, uniquingKeysWith: { a, _ in a })
        let newOrgs = Dictionary(OrgIndex.build(after, now: now, only: only).map { ($0.org, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [AccessChange] = []
        for org in Set(oldOrgs.keys).union(newOrgs.keys).sorted(by: byteOrder) {
            let was = oldOrgs[org]
            let will = newOrgs[org]
            for email in Set(was?.emails ?? []).union(will?.emails ?? []).sorted(by: byteOrder) {
                let o = was?.person(email)
                let n = will?.person(email)
                guard let person = n ?? o else { continue }
                changes(of: person, from: o, to: n, into: &result)
            }
        }
        return result
    }

    private static func changes(of person: Person, from o: Person?, to n: Person?, into result: inout [AccessChange]) {
        func summary(_ s: Scope?) -> String? {
            guard let s, !s.bindings.isEmpty else { return nil }
            return s.label ?? ""
        }
        func describe(_ b: Binding) -> String {
            var parts = ["\(b.source)"]
            if let e = b.expires { parts.append("until \(Timestamp.format(e))") }
            if let t = b.ticket { parts.append(t) }
            return parts.joined(separator: ", ")
        }
        // Both scope lists in one order (the org first, then apps by name), walked side by side.
        let order = { (a: Scope, b: Scope) in (a.app ?? "") < (b.app ?? "") }
        let old = (o?.scopes ?? []).sorted(by: order)
        let new = (n?.scopes ?? []).sorted(by: order)
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            let before: Scope?
            let after: Scope?
            if j == new.count || (i < old.count && order(old[i], new[j])) {
                before = old[i]
                after = nil
                i += 1
            } else if i == old.count || order(new[j], old[i]) {
                before = nil
                after = new[j]
                j += 1
            } else {
                before = old[i]
                after = new[j]
                i += 1
                j += 1
            }
            let app = (after ?? before)?.app
            let was = summary(before)
            let will = summary(after)
            guard was != will else { continue }
            let waiting = after?.setAside.first.map { "\($0.binding.role) \(describe($0.binding)): \($0.why)" }
            let cause: String
            if let best = after?.bindings.first(where: { $0.role == will }) ?? after?.bindings.first {
                cause = describe(best)
            } else if let waiting {
                cause = waiting
            } else {
                cause = n == nil ? "membership removed" : "access removed"
            }
            result.append(AccessChange(org: person.org, email: person.email, app: app, before: was, after: will, cause: cause))
        }
    }
}
