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
    public static func changes(from before: [ResourceID: Attributes], to after: [ResourceID: Attributes], now: Date,
                               only: [String: Set<String>]? = nil) -> [AccessChange] {
        func summary(_ s: Scope?) -> String? {
            guard let s, !s.bindings.isEmpty else { return nil }
            return s.role ?? s.bindings.map(\.role).joined(separator: "+")
        }
        func describe(_ b: Binding) -> String {
            var parts = ["\(b.source)"]
            if let e = b.expires { parts.append("until \(Timestamp.format(e))") }
            if let t = b.ticket { parts.append(t) }
            return parts.joined(separator: ", ")
        }
        let old = Dictionary(compute(before, now: now, only: only).map { ("\($0.org)\u{0}\($0.email)", $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(compute(after, now: now, only: only).map { ("\($0.org)\u{0}\($0.email)", $0) }, uniquingKeysWith: { a, _ in a })
        var result: [AccessChange] = []
        for key in Set(old.keys).union(new.keys).sorted(by: byteOrder) {
            let o = old[key]
            let n = new[key]
            guard let person = n ?? o else { continue }
            let apps = Set((o?.scopes ?? []).map(\.app)).union((n?.scopes ?? []).map(\.app))
            for app in apps.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
                let was = summary(o?.scope(app))
                let will = summary(n?.scope(app))
                guard was != will else { continue }
                let waiting = n?.scope(app)?.setAside.first.map { "\($0.binding.role) \(describe($0.binding)): \($0.why)" }
                let cause: String
                if let best = n?.scope(app)?.bindings.first(where: { $0.role == will }) ?? n?.scope(app)?.bindings.first {
                    cause = describe(best)
                } else if let waiting {
                    cause = waiting
                } else {
                    cause = n == nil ? "membership removed" : "access removed"
                }
                result.append(AccessChange(org: person.org, email: person.email, app: app, before: was, after: will, cause: cause))
            }
        }
        return result
    }
}
