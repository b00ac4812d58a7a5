import Foundation

/// `rolecall import scim`: reads an org from a SCIM server and writes manifests that declare it (members
/// with their org role, teams, app roles as grants, each role as a custom role) and a state that
/// records it, so the next plan against the same server says "No changes." Only active users are read.
public struct ScimImport: Sendable {
    public var org: String
    public var settings: TargetSettings
    public var client: ScimClient

    public init(org: String, settings: TargetSettings, client: ScimClient) {
        self.org = org
        self.settings = settings
        self.client = client
    }

    /// What the server holds, as manifest content.
    public struct Imported: Sendable {
        public var members: [(email: String, name: String?, role: String)] = []
        public var grants: [(email: String, role: String, app: String?)] = []
        public var teams: [(name: String, members: [String])] = []
        /// Custom roles to declare: app nil for org roles, "" for app roles.
        public var roles: [ScimRole] = []
        public var apps: [String] = []
        /// Users left out (no e-mail-like userName), for a warning.
        public var skipped: [String] = []
        /// The server's ids, for the state.
        public var userIDs: [String: String] = [:]
        public var groupIDs: [String: String] = [:]
    }

    /// Users that hold no org role are declared with this one (a custom org role like any other).
    public static let defaultRole = "member"

    public func read() async throws -> Imported {
        let snapshot = try await ScimRefresh(org: org, settings: settings, client: client).read()
        let held = ScimRefresh(org: org, settings: settings, client: client).serverRoles(snapshot)
        var imported = Imported()
        var roles = Set<ScimRole>()
        for (email, user) in snapshot.users.sorted(by: { byteOrder($0.key, $1.key) }) where user.active {
            guard email.contains("@"), !email.contains(" ") else {
                imported.skipped.append(email)
                continue
            }
            let mine = (held[email] ?? []).sorted()
            let orgRoles = mine.filter { $0.app == nil }
            let role = orgRoles.first?.role ?? Self.defaultRole
            roles.insert(ScimRole(app: nil, role: role))
            imported.members.append((email, user.displayName.flatMap { $0 == email ? nil : $0 }, role))
            imported.userIDs[email] = user.id
            for extra in mine where extra != orgRoles.first {
                roles.insert(extra)
                imported.grants.append((email, extra.role, extra.app))
            }
        }
        let active = Set(imported.members.map(\.email))
        for (name, group) in snapshot.groups.sorted(by: { byteOrder($0.key, $1.key) }) where ScimRole(groupName: name) == nil {
            let members = group.members.compactMap { snapshot.userNames[$0] }.filter(active.contains).sorted(by: byteOrder)
            imported.teams.append((name, members))
            imported.groupIDs[name] = group.id
        }
        // A custom role has one scope (org or app): one per name and scope.
        imported.roles = Set(roles.map { ScimRole(app: $0.app == nil ? nil : "", role: $0.role) }).sorted()
        imported.apps = Set(roles.compactMap(\.app)).sorted(by: byteOrder)
        let both = Set(imported.roles.filter { $0.app == nil }.map(\.role)).intersection(imported.roles.filter { $0.app != nil }.map(\.role))
        if !both.isEmpty {
            throw ScimError(status: nil, detail: "roles held both org-wide and on apps cannot be declared as one custom role: "
                            + both.sorted(by: byteOrder).joined(separator: ", ") + "; rename one of each on the server first",
                            scimType: nil)
        }
        return imported
    }

    /// The manifest file: one document for the org.
    public func manifest(_ imported: Imported) -> String {
        func q(_ s: String) -> String { ScimJSON.quoted(s) }
        var out = "# Imported from a SCIM server by `rolecall import scim`.\norg: \(q(org))\n\nsettings:\n  target:\n    type: scim\n"
        if let url = settings.url { out += "    url: \(q(url))\n" }
        if let env = settings.urlEnv { out += "    url_env: \(env)\n" }
        out += "    token_env: \(settings.tokenEnv ?? "")\n    roles_as: \(settings.rolesAs.rawValue)\n"
        if !imported.apps.isEmpty { out += "\napps:\n" + imported.apps.map { "  - name: \(q($0))\n" }.joined() }
        if !imported.roles.isEmpty {
            out += "\nroles:\n" + imported.roles.map {
                "  - name: \(q($0.role))\n    scope: \($0.app == nil ? "org" : "app")\n    permissions: [\(q("scim." + $0.role))]\n"
            }.joined()
        }
        if !imported.members.isEmpty {
            out += "\nmembers:\n" + imported.members.map { m in
                "  - email: \(q(m.email))\n" + (m.name.map { "    name: \(q($0))\n" } ?? "") + "    role: \(q(m.role))\n"
            }.joined()
        }
        if !imported.teams.isEmpty {
            out += "\nteams:\n" + imported.teams.map { t in
                "  - name: \(q(t.name))\n" + (t.members.isEmpty ? "    members: []\n" : "    members:\n" + t.members.map { "      - \(q($0))\n" }.joined())
            }.joined()
        }
        if !imported.grants.isEmpty {
            out += "\ngrants:\n" + imported.grants.map { g in
                "  - member: \(q(g.email))\n    role: \(q(g.role))\n" + (g.app.map { "    app: \(q($0))\n" } ?? "")
            }.joined()
        }
        return out
    }
}

