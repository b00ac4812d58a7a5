/// How a catalog combines roles into access: a few named rules, declared per catalog as data, so
/// effective access has no per-product branches.
public struct AccessRules: Sendable, Hashable {
    /// Which apps an org role reaches without an explicit app role, and as which app role.
    public enum Reach: Sendable, Hashable {
        case none
        /// Public apps only (Logfire members).
        case publicApps(as: String)
        /// Every app, public and private (Logfire admins, LogRocket owners).
        case allApps(as: String)
    }

    /// Org role name -> the apps it reaches.
    public var reach: [String: Reach] = [:]
    /// A role given directly to a member, org-wide or on a project, replaces their base role; team roles
    /// still add (LaunchDarkly).
    public var directRoleReplacesBase = false
    /// An explicit app role replaces, not adds to, what the org role gives on that app (Logfire).
    public var explicitAppRoleOverridesOrgRole = false
    /// App roles take effect only once the org invitation is accepted (LogRocket); until then they wait.
    public var appRolesWaitForAcceptance = false
    /// Exactly one member holds this org role (LaunchDarkly's owner); nil when there is no such rule.
    public var singleHolderRole: String?

    /// The seed rule each field comes from, for documentation and messages.
    public var sources: [String] = []
}

extension CatalogID {
    /// The access rules of each built-in catalog (from `../shared/seeds/`).
    public var accessRules: AccessRules {
        switch self {
        case .logrocket:
            return AccessRules(
                reach: ["owner": .allApps(as: "admin")],
                appRolesWaitForAcceptance: true,
                sources: [
                    "Owner: Full control over organization, billing, and all apps.",
                    "App access can only be assigned after they join the organization.",
                ])
        case .launchdarkly:
            return AccessRules(
                directRoleReplacesBase: true, singleHolderRole: "owner",
                sources: [
                    "If a member is directly assigned a role ... that role is used instead of the member's base role.",
                    "If a member is given a role as part of a team, that role is used in addition to the member's base role.",
                    "If you assign multiple roles and the roles have conflicting permissions levels, the more permissive level of access is applied.",
                ])
        case .rudderstack:
            return AccessRules(sources: ["View-only / Read-write / Admin permission matrix; seat limits by plan."])
        case .logfire:
            return AccessRules(
                reach: ["admin": .allApps(as: "admin"), "member": .publicApps(as: "write"), "guest": .none],
                explicitAppRoleOverridesOrgRole: true,
                sources: [
                    "Admin: Public and private projects. Member: Public projects. Guest: None.",
                    "It is possible to assign a specific project role to an existing organization user, in which case the project permissions from their organization role will not apply.",
                ])
        case .custom:
            return AccessRules()
        }
    }
}
