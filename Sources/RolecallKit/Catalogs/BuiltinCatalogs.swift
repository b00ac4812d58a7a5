/// The four built-in role catalogs, written from the product documents in `../shared/seeds/`.
///
/// Each catalog lists its roles most permissive first; ranks come from that order (0 = most
/// permissive). Permission sets are defined once per catalog, and a role that can do everything a
/// lower role can is written as a union with that role's set. The catalog's permission vocabulary
/// is computed from its roles, so it always matches them.

extension RoleCatalog {
    /// LogRocket, from `logrocket-add-a-user.txt`.
    ///
    /// Organization roles: "Owner: Full control over organization, billing, and all apps.",
    /// "Admin: Can invite users, create apps, manage integrations.", "Member: Access to apps they're
    /// invited to, but cannot manage organization settings."
    /// App roles: "Admin: Full control over app settings, privacy, source maps, integrations.",
    /// "Member: View sessions, create filters, share sessions. Cannot modify app settings.",
    /// "Viewer: Read-only access to sessions and dashboards."
    public static let logrocket = RoleCatalog(
        id: .logrocket, displayName: "LogRocket",
        orgRoles: ranked(.org, [
            ("owner", LogRocketPermissions.orgOwner, "Full control over the organization, billing, and all apps."),
            ("admin", LogRocketPermissions.orgAdmin, "Can invite users, create apps, and manage integrations."),
            ("member", LogRocketPermissions.orgMember,
             "Access to apps they're invited to, but cannot manage organization settings."),
        ]),
        appRoles: ranked(.app, [
            ("admin", LogRocketPermissions.appAdmin, "Full control over app settings, privacy, source maps, and integrations."),
            ("member", LogRocketPermissions.appMember, "View sessions, create filters, share sessions; cannot modify app settings."),
            ("viewer", LogRocketPermissions.appViewer, "Read-only access to sessions and dashboards."),
        ]),
        seatPlans: [],
        source: "logrocket-add-a-user.txt")

    /// LaunchDarkly, from `launchdarkly-managing-members.txt` and `launchdarkly-assigning-roles.txt`.
    ///
    /// "Every LaunchDarkly account has four built-in roles. They are: Reader, Writer, Admin, Owner";
    /// "Customers on an Enterprise plan also have a restricted No access role." There are no app roles:
    /// projects and environments are reached through custom roles with role attributes ("if the role
    /// includes a role scope with a role attribute of developerProjectKey, enter a project key").
    /// Changing members' roles needs "a LaunchDarkly Admin or Owner, or ... a custom role that allows
    /// the updateCustomRole action" (`roles.update` here).
    public static let launchdarkly = RoleCatalog(
        id: .launchdarkly, displayName: "LaunchDarkly",
        orgRoles: ranked(.org, [
            ("owner", LaunchDarklyPermissions.owner, "Admin access plus billing and transferring ownership of the account."),
            ("admin", LaunchDarklyPermissions.admin,
             "Writer access plus managing members, custom roles, teams, projects and environments."),
            ("writer", LaunchDarklyPermissions.writer, "Reader access plus modifying flags, segments and experiments."),
            ("reader", LaunchDarklyPermissions.reader, "Can view, but not modify, everything that is not sensitive."),
            ("no_access", LaunchDarklyPermissions.noAccess,
             "Restricted role that allows no access; access comes from custom and team roles (Enterprise)."),
        ]),
        appRoles: [],
        seatPlans: [],
        source: "launchdarkly-managing-members.txt, launchdarkly-assigning-roles.txt")

    /// RudderStack, from `rudderstack-user-management.txt`.
    ///
    /// "An invited user can be assigned one of the following three roles": View-only ("read-only
    /// access to all the RudderStack workspace features"), Read-write ("all the permissions as an
    /// admin, except the team management options") and Admin ("complete access to the RudderStack
    /// workspace"). Seats: "RudderStack Cloud Free | 3", "Pro | 10", "Enterprise | Unlimited".
    public static let rudderstack = RoleCatalog(
        id: .rudderstack, displayName: "RudderStack",
        orgRoles: ranked(.org, [
            ("admin", RudderStackPermissions.admin,
             "Complete access to the RudderStack workspace, including all the options and features in the current plan."),
            ("read_write", RudderStackPermissions.readWrite, "All the permissions of an admin, except the team management options."),
            ("view_only", RudderStackPermissions.viewOnly, "Read-only access to all the RudderStack workspace features."),
        ]),
        appRoles: [],
        seatPlans: [
            SeatPlan(name: "free", seats: 3),
            SeatPlan(name: "pro", seats: 10),
            SeatPlan(name: "enterprise", seats: nil),
        ],
        source: "rudderstack-user-management.txt")

    /// Logfire, from `logfire-organizations-and-projects.txt`.
    ///
    /// Organization roles "contain organization permissions (e.g. create_project), as well as project
    /// permissions (e.g. read_dashboard), which apply to projects the user have access to (unless they
    /// have an explicit project role on some projects)". Project access: Admin "Public and private
    /// projects", Member "Public projects", Guest "None". Project roles: Admin "Gives all
    /// permissions.", Write "Has a specific set of edit permissions", Read "Has only read permissions."
    public static let logfire = RoleCatalog(
        id: .logfire, displayName: "Logfire",
        orgRoles: ranked(.org, [
            // Reaches public and private projects.
            ("admin", LogfirePermissions.orgAdmin,
             "Gives all permissions; the role assigned when creating an organization. Reaches public and private projects."),
            // Reaches public projects.
            ("member", LogfirePermissions.orgMember,
             "Has a specific set of organization and project permissions, which can be changed. Reaches public projects."),
            // Reaches no project: only projects with an explicit project role.
            ("guest", LogfirePermissions.orgGuest,
             "Assigned to users invited directly to a project of the organization. Reaches no project implicitly."),
        ]),
        appRoles: ranked(.app, [
            ("admin", LogfirePermissions.projectAdmin, "Gives all permissions on the project."),
            ("write", LogfirePermissions.projectWrite, "Has a specific set of edit permissions, which can be changed."),
            ("read", LogfirePermissions.projectRead, "Has only read permissions."),
        ]),
        seatPlans: [],
        source: "logfire-organizations-and-projects.txt")
}

// MARK: - Permission sets

/// LogRocket. App permissions apply to one app; org permissions to the organization.
private enum LogRocketPermissions {
    /// "Read-only access to sessions and dashboards."
    static let appViewer: Set<String> = ["sessions.view", "dashboards.view"]
    /// "View sessions, create filters, share sessions."
    static let appMember = appViewer.union(["filters.create", "sessions.share"])
    /// "Full control over app settings, privacy, source maps, integrations."
    static let appAdmin = appMember.union([
        "app_settings.manage", "privacy.manage", "source_maps.manage", "integrations.manage",
    ])

    /// "Access to apps they're invited to"; what they can do there comes from their app roles.
    static let orgMember: Set<String> = ["apps.access_invited"]
    /// "Can invite users, create apps, manage integrations."
    static let orgAdmin = orgMember.union(["members.invite", "apps.create", "integrations.manage"])
    /// "Full control over organization, billing, and all apps": app-admin permissions on every app.
    static let orgOwner = orgAdmin
        .union(["org_settings.manage", "billing.manage", "apps.access_all"])
        .union(appAdmin)
}

/// LaunchDarkly. The seeds name the built-in roles but not their permissions: reader reads
/// everything that is not sensitive, writer modifies flags, segments and experiments, admin manages
/// members, custom roles, teams, projects and environments, owner adds billing and ownership.
private enum LaunchDarklyPermissions {
    static let noAccess: Set<String> = []
    static let reader = grid(
        ["flags", "segments", "experiments", "projects", "environments", "members", "roles", "teams", "audit_log"],
        ["read"])
    static let writer = reader.union(grid(["flags", "segments", "experiments"], ["create", "update", "delete"]))
    /// `roles.update` is LaunchDarkly's `updateCustomRole` action.
    static let admin = writer
        .union(grid(["members"], ["invite", "update", "delete"]))
        .union(grid(["roles", "teams", "projects", "environments"], ["create", "update", "delete"]))
    static let owner = admin.union(["account.billing", "account.transfer_ownership"])
}

/// RudderStack, following the seed's Yes/No lines role by role.
private enum RudderStackPermissions {
    static let resources = ["sources", "destinations", "connections", "transformations"]

    /// View on every resource; "can run tests on existing transformations"; destination secrets are
    /// hidden; can view live events and sync details; "Cannot sync", "Cannot view all the audit logs";
    /// can view the team but not invite or change roles.
    static let viewOnly = grid(resources, ["view"])
        .union(["transformations.test", "live_events.view", "syncs.view", "team.view"])
    /// Adds add/modify/delete on every resource, destination secrets, running syncs and audit logs:
    /// "all the permissions as an admin, except the team management options".
    static let readWrite = viewOnly
        .union(grid(resources, ["add", "modify", "delete"]))
        .union(["destinations.secrets.view", "syncs.run", "audit_logs.view"])
    /// Adds team management: invite, "delete any pending invitation", edit roles (including other
    /// admins'), "remove any member from the workspace".
    static let admin = readWrite
        .union(["team.invite", "team.cancel_invitation", "team.edit_roles", "team.remove_members"])
}

/// Logfire. Project permissions sit on the project roles; an org role carries its org permissions
/// plus the project permissions it implies on the projects it reaches (admin: public and private,
/// member: public, guest: none). The seed's `create_project` is `projects.create` here and
/// `read_dashboard` is `dashboards.read`.
private enum LogfirePermissions {
    /// "Has only read permissions."
    static let projectRead: Set<String> = ["dashboards.read", "alerts.read", "data.read"]
    /// "Has a specific set of edit permissions" (the default set).
    static let projectWrite = projectRead.union(["dashboards.write", "alerts.write"])
    /// "Gives all permissions."
    static let projectAdmin = projectWrite.union(["tokens.manage", "project.settings.manage", "project.members.manage"])

    /// Invited directly to projects: no organization permissions and no implicit project access.
    static let orgGuest: Set<String> = []
    /// Default set, editable in Logfire: create projects; write access on public projects.
    static let orgMember = orgGuest.union(["projects.create"]).union(projectWrite)
    /// "Gives all permissions": manages the organization; project admin on public and private projects.
    static let orgAdmin = orgMember
        .union(["organization.manage", "members.invite", "members.manage"])
        .union(projectAdmin)
}

// MARK: - Helpers

/// Every `area.action` for the given areas and actions.
private func grid(_ areas: [String], _ actions: [String]) -> Set<String> {
    Set(areas.flatMap { area in actions.map { "\(area).\($0)" } })
}

extension RoleCatalog {
    /// Roles of one scope, most permissive first; the rank is the position in the list.
    fileprivate static func ranked(
        _ scope: RoleScope, _ roles: [(name: String, permissions: Set<String>, summary: String)]
    ) -> [RoleDefinition] {
        roles.enumerated().map { rank, role in
            RoleDefinition(name: role.name, scope: scope, rank: rank, permissions: role.permissions, summary: role.summary)
        }
    }

    /// A catalog whose permission vocabulary is the union of its roles' permissions.
    fileprivate init(
        id: CatalogID, displayName: String, orgRoles: [RoleDefinition], appRoles: [RoleDefinition],
        seatPlans: [SeatPlan], source: String
    ) {
        self.init(
            id: id, displayName: displayName, orgRoles: orgRoles, appRoles: appRoles, seatPlans: seatPlans,
            permissionVocabulary: (orgRoles + appRoles).reduce(into: Set<String>()) { $0.formUnion($1.permissions) },
            source: source)
    }
}
