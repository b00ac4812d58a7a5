/// A role change on a grant. A grant's address holds its role (`member:jane@acme.com:admin@production`),
/// so changing the role removes one grant and adds another; reviewers read the two as one replacement
/// (`-/+`, `role: admin -> member`), as terraform shows a replace. The plan keeps both changes (apply
/// carries them out one by one); the pairing is only how they are shown, and `replaces`/`replaced_by`
/// in the plan JSON.
public struct Replacement: Sendable, Hashable {
    /// Index in `Plan.changes` of the removed grant and of the added one.
    public var removal: Int
    public var addition: Int
}

extension Plan {
    /// Pairs each grant removed from the manifests with a grant added for the same subject (member or
    /// team) on the same scope (the org or one app) with another role; in plan order, each change at
    /// most once.
    public var replacements: [Replacement] {
        var added: [String: [Int]] = [:]
        for (index, change) in changes.enumerated() where change.action == .create && change.reason == .added {
            if let scope = Self.grantScope(change.id, change.after) { added[scope, default: []].append(index) }
        }
        guard !added.isEmpty else { return [] }
        var pairs: [Replacement] = []
        for (index, change) in changes.enumerated() where change.action == .delete && change.reason == .removedFromManifests {
            guard let scope = Self.grantScope(change.id, change.before), var candidates = added[scope],
                  let at = candidates.firstIndex(where: { changes[$0].after?["role"] != change.before?["role"] }) else { continue }
            pairs.append(Replacement(removal: index, addition: candidates.remove(at: at)))
            added[scope] = candidates
        }
        return pairs
    }

    /// `org`, subject and app of a grant, as one key; nil for anything else.
    static func grantScope(_ id: ResourceID, _ attributes: Attributes?) -> String? {
        guard id.kind == .grant, let attributes else { return nil }
        let subject: String
        if case let .string(member)? = attributes["member"] {
            subject = "member:" + member
        } else if case let .string(team)? = attributes["team"] {
            subject = "team:" + team
        } else {
            return nil
        }
        var app = ""
        if case let .string(name)? = attributes["app"] { app = name }
        return "\(id.org)\u{0}\(subject)\u{0}\(app)"
    }
}

extension Replacement {
    /// What changes between the two grants, `role: "admin" -> "member"` first; unescaped.
    static func attributeLines(_ removal: Change, _ addition: Change) -> [String] {
        let before = removal.before ?? [:]
        let after = addition.after ?? [:]
        let keys = Set(before.keys).union(after.keys).filter { !State.isStateOnly($0) && before[$0] != after[$0] }
        return keys.sorted { ($0 == "role" ? "" : $0) < ($1 == "role" ? "" : $1) }.map { key in
            "\(key): \(before[key]?.description ?? "(none)") -> \(after[key]?.description ?? "(none)")"
        }
    }
}
