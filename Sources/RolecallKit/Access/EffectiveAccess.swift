import Foundation

/// What each person can do, per scope (the org, each app), and why: a pure function of resources
/// (the desired state from manifests, or the recorded state) at an instant, following the catalog's
/// access rules.
public enum EffectiveAccess {
    /// Where a role binding comes from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case baseRole
        case directGrant
        case team(String)
        /// Implied on an app by the member's org role (Logfire admins and members, LogRocket owners).
        case orgRole(String)

        public var description: String {
            switch self {
            case .baseRole: return "base role"
            case .directGrant: return "grant"
            case let .team(name): return "team \(name)"
            case let .orgRole(role): return "org role \(role)"
            }
        }
    }

    public struct Binding: Sendable, Hashable {
        public var role: String
        public var source: Source
        public var expires: Date?
        public var ticket: String?
    }

    /// Access on one scope.
    public struct Scope: Sendable, Hashable {
        /// nil for the org itself, else the app name.
        public var app: String?
        /// Bindings that count.
        public var bindings: [Binding]
        /// Bindings declared but not counted, with the rule that set them aside.
        public var setAside: [(binding: Binding, why: String)]
        /// The most permissive built-in role among the bindings that count.
        public var role: String?
        /// Union of the permissions of every binding that counts.
        public var permissions: [String]

        /// What a matrix cell shows: the most permissive built-in role, else the custom roles that count,
        /// each once, in byte order, joined by "+"; nil when nothing counts.
        public var label: String? {
            role ?? (bindings.isEmpty ? nil : Set(bindings.map(\.role)).sorted(by: byteOrder).joined(separator: "+"))
        }

        public static func == (a: Scope, b: Scope) -> Bool {
            a.app == b.app && a.bindings == b.bindings && a.role == b.role && a.permissions == b.permissions
                && a.setAside.map(\.binding) == b.setAside.map(\.binding) && a.setAside.map(\.why) == b.setAside.map(\.why)
        }

        public func hash(into h: inout Hasher) {
            h.combine(app)
            h.combine(bindings)
        }
    }

    public struct Person: Sendable, Hashable {
        public var org: String
        public var catalog: CatalogID
        public var email: String
        /// `active` or `invited`.
        public var status: String
        /// Every app of the org (for matrices), by name.
        public var apps: [String]
        /// The org scope first, then, by name, every app where the person has a binding (counted or set aside).
        public var scopes: [Scope]

        public func scope(_ app: String?) -> Scope? { scopes.first { $0.app == app } }
    }

    /// Why an invited member's app role is set aside (LogRocket): it counts once the invitation is accepted.
    public static let waitingForAcceptance = "waiting for the org invitation to be accepted"

    /// Everyone's access in every org of the resources; with `only`, just those people (org -> e-mails).
    public static func compute(_ resources: some Sequence<(key: ResourceID, value: Attributes)>, now: Date, only: [String: Set<String>]? = nil) -> [Person] {
        OrgIndex.build(resources, now: now, only: only).flatMap { index in
            index.emails.compactMap { index.person($0) }
        }
    }

    static func string(_ a: Attributes?, _ key: String) -> String? {
        if case let .string(s)? = a?[key] { return s }
        return nil
    }

    /// One org's resources, indexed by person, from which each person's access is worked out on its own
    /// (so that a plan's access changes go person by person instead of holding everyone twice).
    struct OrgIndex {
        let org: String
        let now: Date
        let catalogID: CatalogID
        let catalog: RoleCatalog
        let rules: AccessRules
        /// By name.
        var apps: [(name: String, isPublic: Bool)] = []
        var appIndex: [String: Int] = [:]
        var appNames: [String] = []
        var custom: [RoleScope: [String: [String]]] = [:]
        var members: [String: Attributes] = [:]
        var teamsOf: [String: [String]] = [:]
        var grantsOf: [String: [Attributes]] = [:]
        var teamGrants: [String: [Attributes]] = [:]
        /// The people asked for, in byte order.
        var emails: [String] = []

        /// One index per org (by name) among the resources; with `only`, just the orgs and people named.
        /// `held`: resources that count whatever their expiry (a plan's expiry revocations, still held until applied).
        static func build(_ resources: some Sequence<(key: ResourceID, value: Attributes)>, now: Date, only: [String: Set<String>]?,
                          held: Set<ResourceID> = []) -> [OrgIndex] {
            var byOrg: [String: [ResourceID: Attributes]] = [:]
            for (id, attributes) in resources where only == nil || only?[id.org] != nil {
                byOrg[id.org, default: [:]][id] = attributes
            }
            return byOrg.keys.sorted(by: byteOrder).map { org in
                OrgIndex(org: org, byOrg[org] ?? [:], now: now, only: only?[org], held: held)
            }
        }

        init(org: String, _ resources: [ResourceID: Attributes], now: Date, only: Set<String>?, held: Set<ResourceID> = []) {
            self.org = org
            self.now = now
            let settings = resources[ResourceID(org: org, kind: .settings, key: "")]
            catalogID = string(settings, "catalog").flatMap(CatalogID.init(rawValue:)) ?? .custom
            catalog = RoleCatalog.builtin(catalogID)
            rules = catalogID.accessRules
            for (id, a) in resources {
                switch id.kind {
                case .app: apps.append((id.key, string(a, "visibility") == "public"))
                case .role:
                    if let scope = string(a, "scope").flatMap(RoleScope.init(rawValue:)), case let .strings(p)? = a["permissions"] {
                        custom[scope, default: [:]][id.key] = p
                    }
                case .member where live(a) || held.contains(id): members[id.key] = a
                case .teamMembership where live(a) || held.contains(id):
                    if let team = string(a, "team"), let member = string(a, "member") { teamsOf[member, default: []].append(team) }
                case .grant where live(a) || held.contains(id):
                    if let member = string(a, "member") { grantsOf[member, default: []].append(a) }
                    if let team = string(a, "team") { teamGrants[team, default: []].append(a) }
                default: break
                }
            }
            apps.sort { byteOrder($0.name, $1.name) }
            for (i, app) in apps.enumerated() { appIndex[app.name] = i }
            appNames = apps.map(\.name)
            emails = members.keys.filter { email in only.map { $0.contains("*") || $0.contains(email) } ?? true }.sorted(by: byteOrder)
        }

        private func live(_ a: Attributes) -> Bool {
            guard let text = string(a, "expires"), let end = Timestamp.parse(text) else { return true }
            return end > now
        }

        private func expiry(_ a: Attributes) -> Date? { string(a, "expires").flatMap(Timestamp.parse) }

        private func permissions(_ role: String, _ scope: RoleScope) -> [String] {
            if let builtin = catalog.role(named: role, in: scope) { return Array(builtin.permissions) }
            return custom[scope]?[role] ?? []
        }

        private func finish(_ app: String?, _ bindings: [Binding], _ setAside: [(Binding, String)]) -> Scope {
            let scope: RoleScope = app == nil ? .org : .app
            let best = bindings.compactMap { catalog.role(named: $0.role, in: scope) }.min { $0.rank < $1.rank }
            let perms = Set(bindings.flatMap { permissions($0.role, scope) }).sorted()
            let order = { (b: Binding) in "\(b.source)\u{0}\(b.role)" }
            return Scope(app: app, bindings: bindings.sorted { order($0) < order($1) },
                         setAside: setAside.sorted { order($0.0) < order($1.0) }.map { (binding: $0.0, why: $0.1) },
                         role: best?.name, permissions: perms)
        }

        /// One member's access; nil when they are no (live) member of the org.
        func person(_ email: String) -> Person? {
            guard let member = members[email] else { return nil }
            let status = string(member, "status") ?? (member["sso"] == .bool(true) ? "active" : "invited")
            var orgBindings: [Binding] = []
            var explicitByApp: [String: [Binding]] = [:]
            func add(_ binding: Binding, on app: String?) {
                if let app { explicitByApp[app, default: []].append(binding) } else { orgBindings.append(binding) }
            }
            for g in grantsOf[email] ?? [] {
                guard let role = string(g, "role") else { continue }
                add(Binding(role: role, source: .directGrant, expires: expiry(g), ticket: string(g, "ticket")), on: string(g, "app"))
            }
            for team in (teamsOf[email] ?? []).sorted() {
                for g in teamGrants[team] ?? [] {
                    guard let role = string(g, "role") else { continue }
                    add(Binding(role: role, source: .team(team), expires: expiry(g), ticket: string(g, "ticket")), on: string(g, "app"))
                }
            }

            // The org scope: base role, plus org-wide grants.
            var orgAside: [(Binding, String)] = []
            let base = Binding(role: string(member, "role") ?? "", source: .baseRole, expires: expiry(member),
                               ticket: string(member, "ticket"))
            // A role assigned directly, org-wide or on a project, is used instead of the base role (LaunchDarkly).
            let direct = orgBindings.contains { $0.source == .directGrant }
                || explicitByApp.values.contains { $0.contains { $0.source == .directGrant } }
            if rules.directRoleReplacesBase, direct {
                orgAside.append((base, "replaced by a role assigned directly"))
            } else {
                orgBindings.append(base)
            }
            var scopes = [finish(nil, orgBindings, orgAside)]

            // Apps: every app when an org role reaches apps, else only those with an explicit role.
            let reaches = orgBindings.contains { binding in
                switch rules.reach[binding.role] {
                case .allApps?, .publicApps?: return true
                default: return false
                }
            }
            let candidates = reaches ? Array(apps.indices) : explicitByApp.keys.compactMap { appIndex[$0] }.sorted()
            for app in candidates.map({ apps[$0] }) {
                var explicit = explicitByApp[app.name] ?? []
                var aside: [(Binding, String)] = []
                if rules.appRolesWaitForAcceptance, status != "active" {
                    aside += explicit.map { ($0, EffectiveAccess.waitingForAcceptance) }
                    explicit = []
                }
                var implied: [Binding] = []
                for binding in orgBindings {
                    switch rules.reach[binding.role] {
                    case let .allApps(role)?:
                        implied.append(Binding(role: role, source: .orgRole(binding.role), expires: binding.expires, ticket: nil))
                    case let .publicApps(role)? where app.isPublic:
                        implied.append(Binding(role: role, source: .orgRole(binding.role), expires: binding.expires, ticket: nil))
                    default: break
                    }
                }
                if rules.explicitAppRoleOverridesOrgRole, !explicit.isEmpty {
                    aside += implied.map { ($0, "overridden by an explicit app role") }
                    implied = []
                }
                guard !explicit.isEmpty || !implied.isEmpty || !aside.isEmpty else { continue }
                scopes.append(finish(app.name, explicit + implied, aside))
            }
            return Person(org: org, catalog: catalogID, email: email, status: status, apps: appNames, scopes: scopes)
        }
    }
}
