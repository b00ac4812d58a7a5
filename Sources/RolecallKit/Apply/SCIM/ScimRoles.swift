import Foundation

/// One effective role as the server holds it: a group `role:<role>` / `role:<app>:<role>`
/// (`roles_as: groups`), or a `User.roles` entry `{value: <role>, type: "org" | "app:<app>"}`.
public struct ScimRole: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var app: String?
    public var role: String

    public init(app: String?, role: String) {
        self.app = app
        self.role = role
    }

    public var groupName: String { app.map { "role:\($0):\(role)" } ?? "role:\(role)" }
    public var type: String { app.map { "app:\($0)" } ?? "org" }
    public var description: String { groupName }

    /// The role a group stands for; nil for a group that is not a role group (a team).
    public init?(groupName: String) {
        guard groupName.hasPrefix("role:") else { return nil }
        let parts = groupName.dropFirst(5).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1 where !parts[0].isEmpty: self.init(app: nil, role: parts[0])
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: self.init(app: parts[0], role: parts[1])
        default: return nil
        }
    }

    /// The role a `User.roles` entry stands for.
    init?(entry: JSONValue) {
        guard let value = entry["value"]?.stringValue else { return nil }
        let type = entry["type"]?.stringValue ?? "org"
        if type == "org" { self.init(app: nil, role: value) } else if type.hasPrefix("app:") {
            self.init(app: String(type.dropFirst(4)), role: value)
        } else { return nil }
    }

    var entry: JSONValue { .object(["value": .string(role), "type": .string(type)]) }

    public static func < (a: ScimRole, b: ScimRole) -> Bool { byteOrder(a.groupName, b.groupName) }
}

/// Each person's effective roles in one org, by rolecall's own access rules (overrides, expiry, most
/// permissive wins): per scope, the most permissive built-in role plus every custom role that counts.
public enum ScimRoles {
    public static func effective(_ resources: some Sequence<(key: ResourceID, value: Attributes)>, org: String,
                                 now: Date) -> [String: Set<ScimRole>] {
        let people = EffectiveAccess.compute(resources.lazy.filter { $0.key.org == org }, now: now)
        var roles: [String: Set<ScimRole>] = [:]
        for person in people {
            let catalog = RoleCatalog.builtin(person.catalog)
            var held = Set<ScimRole>()
            for scope in person.scopes {
                let kind: RoleScope = scope.app == nil ? .org : .app
                if let best = scope.role { held.insert(ScimRole(app: scope.app, role: best)) }
                for binding in scope.bindings where scope.role == nil || catalog.role(named: binding.role, in: kind) == nil {
                    held.insert(ScimRole(app: scope.app, role: binding.role))
                }
            }
            roles[person.email] = held
        }
        return roles
    }
}
