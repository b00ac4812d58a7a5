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
    /// Why, in words: `grant, until 2026-07-15T00:00:00Z, IAM-1234`, `team support`, `access removed`,
    /// `expired (grant, until …)`, `pending acceptance (grant)`.
    public var cause: String
    /// A role held but not counted until the member accepts the org invitation (LogRocket app roles),
    /// before and after; nil when none.
    public var pendingBefore: String?
    public var pendingAfter: String?
    /// Where the access after comes from (`grant`, `team support`, `base role`); for access that ends,
    /// where it came from.
    public var via: String?
    /// The instant the binding named by `via` ends (RFC 3339); for `expired`, the instant it ended.
    public var expires: String?
    public var ticket: String?
    /// True when the access ended at its expiry (the plan revokes it).
    public var expired: Bool?
    /// True for a member whose address is outside the org's own domains (see `PlanContext`).
    public var external: Bool?

    enum CodingKeys: String, CodingKey {
        case org, email, app, before, after, cause, via, expires, ticket, expired, external
        case pendingBefore = "pending_before"
        case pendingAfter = "pending_after"
    }

    public init(org: String, email: String, app: String?, before: String?, after: String?, cause: String) {
        self.org = org
        self.email = email
        self.app = app
        self.before = before
        self.after = after
        self.cause = cause
    }

    /// `jane@acme.com  production: viewer -> admin (grant, until …, IAM-1234)`; a role waiting for the
    /// invitation to be accepted reads `admin (pending acceptance)`.
    public var line: String {
        "\(email)  \(app ?? "org"): \(beforeText) -> \(afterText) (\(cause))"
    }

    public var beforeText: String { Self.text(before, pendingBefore) }
    public var afterText: String { Self.text(after, pendingAfter) }

    static func text(_ role: String?, _ pending: String?) -> String {
        if let role { return pending.map { "\(role), \($0) pending acceptance" } ?? role }
        return pending.map { "\($0) (pending acceptance)" } ?? "none"
    }
}

extension EffectiveAccess {
    /// Per person and scope, what changes between two sets of resources (only scopes that change).
    /// `only` limits the people looked at (org -> e-mails, `*` for everyone in an org); `held` are the
    /// resources the plan revokes at their expiry: before the plan they still count (the access is held
    /// until it is revoked), so their revocation shows as a change.
    public static func changes(from before: some Sequence<(key: ResourceID, value: Attributes)>,
                               to after: some Sequence<(key: ResourceID, value: Attributes)>, now: Date,
                               only: [String: Set<String>]? = nil, held: Set<ResourceID> = []) -> [AccessChange] {
        // Org by org, person by person: each person's access before and after is worked out, compared
        // and dropped, so a plan that touches everyone never holds everyone's access twice.
        let oldOrgs = Dictionary(OrgIndex.build(before, now: now, only: only, held: held).map { ($0.org, $0) },
                                 uniquingKeysWith: { a, _ in a })
        let newOrgs = Dictionary(OrgIndex.build(after, now: now, only: only).map { ($0.org, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [AccessChange] = []
        for org in Set(oldOrgs.keys).union(newOrgs.keys).sorted(by: byteOrder) {
            let was = oldOrgs[org]
            let will = newOrgs[org]
            for email in Set(was?.emails ?? []).union(will?.emails ?? []).sorted(by: byteOrder) {
                let o = was?.person(email)
                let n = will?.person(email)
                guard let person = n ?? o else { continue }
                changes(of: person, from: o, to: n, now: now, held: held, into: &result)
            }
        }
        return result
    }

    private static func changes(of person: Person, from o: Person?, to n: Person?, now: Date, held: Set<ResourceID>,
                                into result: inout [AccessChange]) {
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
            if let change = change(of: person, before, after, removed: n == nil, now: now, held: held) { result.append(change) }
        }
    }

    /// The change of one scope, or nil when what counts (and what waits for acceptance) is the same.
    private static func change(of person: Person, _ before: Scope?, _ after: Scope?, removed: Bool, now: Date,
                               held: Set<ResourceID>) -> AccessChange? {
        func summary(_ s: Scope?) -> String? {
            guard let s, !s.bindings.isEmpty else { return nil }
            return s.label ?? ""
        }
        func waiting(_ s: Scope?) -> [Binding] { (s?.setAside ?? []).filter { $0.why == waitingForAcceptance }.map(\.binding) }
        func pending(_ s: Scope?) -> String? {
            let roles = Set(waiting(s).map(\.role))
            return roles.isEmpty ? nil : roles.sorted(by: byteOrder).joined(separator: "+")
        }
        let was = summary(before)
        let will = summary(after)
        let pendingWas = pending(before)
        let pendingWill = pending(after)
        guard was != will || pendingWas != pendingWill else { return nil }
        var change = AccessChange(org: person.org, email: person.email, app: (after ?? before)?.app, before: was, after: will,
                                  cause: "")
        change.pendingBefore = pendingWas
        change.pendingAfter = pendingWill
        // Why: the binding that gives the access after, else the one that waits, else what ended.
        let ended = (before?.bindings ?? []) + waiting(before)
        if let best = after?.bindings.first(where: { $0.role == will }) ?? after?.bindings.first {
            describe(best, into: &change)
            change.cause = Shown.when(best)
        } else if let first = waiting(after).first {
            describe(first, into: &change)
            change.cause = Shown.when(first)
        } else if let gone = ended.first(where: { expired($0, of: person, now: now, held: held) }) {
            describe(gone, into: &change)
            // Ended by its team membership's or member's expiry: its own end is not the one that passed.
            if gone.expires.map({ $0 > now }) ?? true { change.expires = nil }
            change.expired = true
            change.cause = "expired (\(Shown.when(gone)))"
        } else {
            if let first = ended.first { describe(first, into: &change) }
            change.cause = removed ? "membership removed" : "access removed"
        }
        return change
    }

    /// Whether a binding ended at an expiry: its own, its team membership's or its member's (revoked by the plan).
    private static func expired(_ b: Binding, of person: Person, now: Date, held: Set<ResourceID>) -> Bool {
        if let end = b.expires, end <= now { return true }
        if case let .team(team) = b.source,
           held.contains(ResourceID(org: person.org, kind: .teamMembership, key: "\(team)/\(person.email)")) { return true }
        return held.contains(ResourceID(org: person.org, kind: .member, key: person.email))
    }

    private static func describe(_ b: Binding, into change: inout AccessChange) {
        change.via = b.source.description
        change.expires = b.expires.map(Timestamp.format)
        change.ticket = b.ticket
    }
}
