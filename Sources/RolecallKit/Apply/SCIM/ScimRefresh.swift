import Foundation

/// A difference between what rolecall recorded and what the server holds: someone changed the server
/// outside rolecall.
public struct DriftItem: Sendable, Hashable, CustomStringConvertible {
    public var org: String
    /// Whom it is about: `member jane@acme.com`, `team backend`.
    public var who: String
    public var what: String
    public var before: String?
    public var after: String?

    public var description: String {
        var line = "\(who) (org \(org)): \(what)"
        if before != nil || after != nil { line += " (before: \(before ?? "none"), now: \(after ?? "none"))" }
        return line
    }

    /// The "changed outside rolecall" section of a plan.
    public static func render(_ items: [DriftItem]) -> String {
        guard !items.isEmpty else { return "" }
        return "Changed outside rolecall (planned back to the manifests):\n"
            + items.map { "  ! \($0)\n" }.joined() + "\n"
    }
}

/// Reads the server and rewrites the org's part of the state to match it, so that the plan puts back
/// whatever was changed outside rolecall: a user missing or a team gone is dropped from the state (and
/// created again), a deactivated user or one whose roles moved is marked (and updated), an active user
/// rolecall never made is added (and removed, as the manifests do not have them), and team memberships
/// follow the group's members.
public struct ScimRefresh: Sendable {
    public let org: String
    public let settings: TargetSettings
    public let client: ScimClient

    public init(org: String, settings: TargetSettings, client: ScimClient) {
        self.org = org
        self.settings = settings
        self.client = client
    }

    /// The attribute that marks a resource the server changed: not state-only, so the plan updates it.
    public static let driftAttribute = "changed_outside"

    /// What the server holds, read whole (paged to `totalResults`).
    struct Snapshot: Sendable {
        public var users: [String: ScimDirectory.User] = [:]
        public var userNames: [String: String] = [:]
        public var groups: [String: ScimDirectory.Group] = [:]
    }

    func read() async throws -> Snapshot {
        _ = try await client.serviceProviderConfig()
        let directory = ScimDirectory()
        await directory.listedUsers(try await client.list("Users"))
        await directory.listedGroups(try await client.list("Groups"))
        var snapshot = Snapshot()
        snapshot.users = await directory.users
        snapshot.groups = await directory.groups
        for (name, user) in snapshot.users { snapshot.userNames[user.id] = name }
        return snapshot
    }

    /// The server's roles of each user it holds, by user name.
    func serverRoles(_ snapshot: Snapshot) -> [String: Set<ScimRole>] {
        var held: [String: Set<ScimRole>] = [:]
        if settings.rolesAs == .roles {
            for (name, user) in snapshot.users { held[name] = user.roles }
            return held
        }
        for (name, group) in snapshot.groups {
            guard let role = ScimRole(groupName: name) else { continue }
            for id in group.members { if let user = snapshot.userNames[id] { held[user, default: []].insert(role) } }
        }
        return held
    }

    public func refresh(_ state: State, now: Date) async throws -> (state: State, drift: [DriftItem]) {
        let snapshot = try await read()
        return reconcile(state, with: snapshot, now: now)
    }

    /// The state rewritten to match the snapshot, and what differed.
    func reconcile(_ state: State, with snapshot: Snapshot, now: Date) -> (state: State, drift: [DriftItem]) {
        var table = state.resources.dictionary
        var drift: [DriftItem] = []
        let expectedRoles = ScimRoles.effective(state.resources, org: org, now: now)
        let held = serverRoles(snapshot)
        let members = table.keys.filter { $0.org == org && $0.kind == .member }
        for id in members {
            guard var attributes = table[id] else { continue }
            let email = id.key
            guard let user = snapshot.users[email] else {
                drift.append(DriftItem(org: org, who: "member \(email)", what: "user deleted on the server", before: "exists", after: nil))
                table[id] = nil
                for key in table.keys where key.org == org && key.kind == .teamMembership && key.key.hasSuffix("/\(email)") { table[key] = nil }
                continue
            }
            var marks: [String] = []
            if !user.active {
                drift.append(DriftItem(org: org, who: "member \(email)", what: "deactivated", before: "active", after: "inactive"))
                marks.append("deactivated")
            }
            let name: String? = if case let .string(n)? = attributes["name"] { n } else { nil }
            if let shown = user.displayName, !ScimTarget.showsName(shown, wanted: name ?? email, userName: email) {
                drift.append(DriftItem(org: org, who: "member \(email)", what: "display name changed", before: name ?? email, after: shown))
                marks.append("display name")
            }
            let wanted = expectedRoles[email] ?? [], actual = held[email] ?? []
            if user.active, wanted != actual {
                let show = { (roles: Set<ScimRole>) in roles.sorted().map(\.groupName).joined(separator: ", ") }
                drift.append(DriftItem(org: org, who: "member \(email)", what: "roles changed", before: show(wanted), after: show(actual)))
                marks.append("roles")
            }
            if !marks.isEmpty {
                attributes[Self.driftAttribute] = .string(marks.joined(separator: ", "))
                table[id] = attributes
            }
        }
        reconcileUnknownUsers(snapshot, held: held, table: &table, drift: &drift)
        reconcileTeams(snapshot, table: &table, drift: &drift)
        var refreshed = state
        refreshed.resources = ResourceTable(table)
        return (refreshed, drift)
    }

    /// Active users rolecall did not make: added to the state, so that the plan removes them unless the
    /// manifests declare them.
    private func reconcileUnknownUsers(_ snapshot: Snapshot, held: [String: Set<ScimRole>],
                                       table: inout [ResourceID: Attributes], drift: inout [DriftItem]) {
        for (email, user) in snapshot.users where user.active {
            let id = ResourceID(org: org, kind: .member, key: email)
            guard table[id] == nil else { continue }
            var attributes: Attributes = [Self.driftAttribute: .string("created outside rolecall"), "status": .string("active"),
                                          AppliedResource.remoteIDAttribute: .string(user.id)]
            if let role = held[email]?.filter({ $0.app == nil }).sorted().first { attributes["role"] = .string(role.role) }
            if let shown = user.displayName, shown != email { attributes["name"] = .string(shown) }
            table[id] = attributes
            drift.append(DriftItem(org: org, who: "member \(email)", what: "user created outside rolecall", before: nil, after: "active"))
        }
    }

    /// Teams and their memberships as the groups hold them.
    private func reconcileTeams(_ snapshot: Snapshot, table: inout [ResourceID: Attributes], drift: inout [DriftItem]) {
        let teams = table.keys.filter { $0.org == org && $0.kind == .team }
        for id in teams {
            let recorded = table.keys.filter { $0.org == org && $0.kind == .teamMembership && $0.key.hasPrefix("\(id.key)/") }
            guard let group = snapshot.groups[id.key] else {
                drift.append(DriftItem(org: org, who: "team \(id.key)", what: "group deleted on the server", before: "exists", after: nil))
                table[id] = nil
                for key in recorded { table[key] = nil }
                continue
            }
            var inGroup = Set(group.members.compactMap { snapshot.userNames[$0] })
            for key in recorded {
                let email = String(key.key.dropFirst(id.key.count + 1))
                if inGroup.remove(email) == nil, table[ResourceID(org: org, kind: .member, key: email)] != nil {
                    drift.append(DriftItem(org: org, who: "team \(id.key)", what: "member \(email) removed from the group", before: "member", after: nil))
                    table[key] = nil
                }
            }
            for email in inGroup.sorted() where table[ResourceID(org: org, kind: .member, key: email)] != nil {
                drift.append(DriftItem(org: org, who: "team \(id.key)", what: "member \(email) added to the group", before: nil, after: "member"))
                table[ResourceID(org: org, kind: .teamMembership, key: "\(id.key)/\(email)")] =
                    [Self.driftAttribute: .string("added outside rolecall"), "member": .string(email), "team": .string(id.key)]
            }
        }
    }
}
