import Foundation

/// One org's part of a plan, with what the rules need to judge it: the org's settings as the
/// manifests declare them (or, when the org is gone from the manifests, as the state recorded them),
/// and its members as the state records them.
public struct PolicyContext: Sendable {
    public var org: String
    /// The plan's changes to this org, in execution order.
    public var changes: ArraySlice<Change>
    public var options: PlanOptions
    /// The org's settings resource as the manifests want it; nil when the org is gone from them.
    public var desiredSettings: Attributes?
    /// The org's settings resource as the state records it; nil for a new org.
    public var recordedSettings: Attributes?
    /// How many members the state records in the org.
    public var members = 0
    /// The org's owner-like top role (from the catalog the manifests name, else the recorded one);
    /// nil for custom catalogs.
    public var topRole: String?
    /// Members holding `topRole` who accepted their invitation, as the state records them.
    public var activeHolders: Set<String> = []

    /// Roles `settings.policy.protected_roles` names, in the manifests or in the state (so that a plan
    /// dropping the protection is itself held to it).
    public var protectedRoles: Set<String> = []
    /// Teams that hold a protected role, in the manifests or in the state, with one such role (the
    /// first by name): joining or leaving one grants or removes that role.
    public var protectedTeams: [String: String] = [:]

    /// Whether the manifests no longer declare the org at all (the plan removes it).
    public var orgIsRemoved: Bool { desiredSettings == nil && recordedSettings != nil }

    /// The org's settings in effect: the manifests', or the state's once the org is gone from them.
    public var settings: Attributes? { desiredSettings ?? recordedSettings }

    /// A context for every org the plan changes, in byte order of org names.
    static func contexts(plan: Plan, desired: DesiredState, state: State, options: PlanOptions) -> [PolicyContext] {
        // A plan lists each org's changes together (see `Planner.executionOrder`): each org's part is
        // a slice of them, not a copy.
        let changes = isGroupedByOrg(plan.changes) ? plan.changes : plan.changes.sorted(by: Planner.executionOrder)
        var byOrg: [String: PolicyContext] = [:]
        var start = changes.startIndex
        while start < changes.endIndex {
            let org = changes[start].id.org
            var end = start + 1
            while end < changes.endIndex, compareBytes(changes[end].id.org, org) == 0 { end += 1 }
            let settings = ResourceID(org: org, kind: .settings, key: "")
            var context = PolicyContext(org: org, changes: changes[start..<end], options: options,
                                        desiredSettings: desired.entry(settings)?.attributes,
                                        recordedSettings: state.resources[settings])
            context.topRole = Self.topRole(context.desiredSettings) ?? Self.topRole(context.recordedSettings)
            for settings in [context.desiredSettings, context.recordedSettings] {
                if case let .strings(roles)? = settings?["protected_roles"] { context.protectedRoles.formUnion(roles) }
            }
            byOrg[org] = context
            start = end
        }
        // One pass over the state's members counts the members of the orgs the plan touches (and, where
        // roles are protected, finds the teams holding them).
        let anyProtected = byOrg.values.contains { !$0.protectedRoles.isEmpty }
        for (id, attributes) in state.resources where id.kind == .member || (anyProtected && id.kind == .grant) {
            if id.kind == .grant {
                byOrg[id.org]?.noteProtectedTeam(attributes)
                continue
            }
            byOrg[id.org]?.members += 1
            if let top = byOrg[id.org]?.topRole, attributes["role"] == .string(top), !isPending(attributes) {
                byOrg[id.org]?.activeHolders.insert(id.key)
            }
        }
        if anyProtected {
            for entry in desired.entries where entry.id.kind == .grant { byOrg[entry.id.org]?.noteProtectedTeam(entry.attributes) }
        }
        return byOrg.keys.sorted(by: byteOrder).compactMap { byOrg[$0] }
    }

    /// Whether each org's changes come together (no org appears again after another one).
    private static func isGroupedByOrg(_ changes: [Change]) -> Bool {
        var seen: Set<String> = []
        for i in changes.indices where i == 0 || compareBytes(changes[i - 1].id.org, changes[i].id.org) != 0 {
            guard seen.insert(changes[i].id.org).inserted else { return false }
        }
        return true
    }

    /// Records the team of a team grant of a protected role.
    private mutating func noteProtectedTeam(_ grant: Attributes) {
        guard !protectedRoles.isEmpty, case let .string(role)? = grant["role"], protectedRoles.contains(role),
              case let .string(team)? = grant["team"] else { return }
        if let known = protectedTeams[team], known <= role { return }
        protectedTeams[team] = role
    }

    /// The owner-like role of the catalog a settings resource names (none for custom catalogs).
    static func topRole(_ settings: Attributes?) -> String? {
        guard case let .string(name)? = settings?["catalog"], let id = CatalogID(rawValue: name), id != .custom else { return nil }
        return RoleCatalog.builtin(id).orgRoles.first?.name
    }

    /// A member invited but not yet accepted.
    static func isPending(_ member: Attributes?) -> Bool { member?["status"] == .string("invited") }
}
