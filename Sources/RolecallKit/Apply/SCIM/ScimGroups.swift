import Foundation

/// Groups: a team is a Group named after it; with `roles_as: groups` each role is a Group too.
extension ScimTarget {
    /// The group named `name`, from what was listed or by `displayName eq`.
    func knownGroup(_ name: String) async throws -> ScimDirectory.Group? {
        if let group = await directory.group(name) { return group }
        if await directory.groupsListed { return nil }
        guard let found = try await client.findGroup(displayName: name) else { return nil }
        let group = ScimDirectory.Group(found)
        await directory.setGroup(name, group)
        return group
    }

    /// Makes the group exist, created with `members` (user ids) when it is new; the answer says which
    /// members the server kept (some ignore members sent with a create: those are added by PATCH).
    func ensureGroup(_ name: String, members: [String] = []) async throws -> ScimDirectory.Group {
        if let group = try await knownGroup(name) { return group }
        let body: JSONValue = .object(["schemas": .array([.string(ScimClient.groupSchema)]), "displayName": .string(name),
                                       "members": .array(members.map { .object(["value": .string($0)]) })])
        let client = self.client
        let group = ScimDirectory.Group(try await client.createConverging("Groups", body) { try await client.findGroup(displayName: name) })
        await directory.setGroup(name, group)
        return group
    }

    func deleteGroup(_ name: String) async throws {
        guard let group = try await knownGroup(name) else { return }
        try await client.delete("Groups", id: group.id)
        await directory.setGroup(name, nil)
    }

    /// The user ids of these members (members without a user are left out: nothing to add or remove).
    func userIDs(_ emails: some Sequence<String>) async throws -> Set<String> {
        var ids = Set<String>()
        for email in emails {
            if let user = try await knownUser(email) { ids.insert(user.id) }
        }
        return ids
    }

    func addMembers(group name: String, emails: some Sequence<String>) async throws {
        try await changeMembers(group: name, adding: try await userIDs(emails), removing: [])
    }

    func removeMembers(group name: String, emails: some Sequence<String>) async throws {
        guard try await knownGroup(name) != nil else { return }
        try await changeMembers(group: name, adding: [], removing: try await userIDs(emails))
    }

    /// One PATCH per group: adds as `members` values; removals in the form the server takes.
    func changeMembers(group name: String, adding: Set<String>, removing: Set<String>) async throws {
        let group = try await ensureGroup(name, members: adding.sorted())
        let add = adding.subtracting(group.members).sorted(), remove = removing.intersection(group.members).sorted()
        var operations: [JSONValue] = []
        if !add.isEmpty {
            operations.append(.object(["op": .string("add"), "path": .string("members"),
                                       "value": .array(add.map { .object(["value": .string($0)]) })]))
        }
        if !operations.isEmpty { _ = try await client.patch("Groups", id: group.id, operations) }
        if !remove.isEmpty { try await removeFromGroup(group.id, remove) }
        await directory.updateMembers(of: name, adding: Set(add), removing: Set(remove))
    }

    /// Member removal, in the form set (`member_removal`) or learned: `filter` first, `value` when the
    /// server refuses the filter form (and remembered for the rest of the run).
    func removeFromGroup(_ id: String, _ members: [String]) async throws {
        var form = await directory.removal ?? settings.memberRemoval
        if form == .auto {
            do {
                try await removeFromGroup(id, members, as: .filter)
                await directory.setRemoval(.filter)
                return
            } catch let error as ScimError where [400, 501].contains(error.status ?? 0) {
                form = .value
            }
            try await removeFromGroup(id, members, as: .value)
            await directory.setRemoval(.value)
            return
        }
        try await removeFromGroup(id, members, as: form)
    }

    private func removeFromGroup(_ id: String, _ members: [String], as form: TargetSettings.MemberRemoval) async throws {
        let operations: [JSONValue]
        if form == .value {
            operations = [.object(["op": .string("remove"), "path": .string("members"),
                                   "value": .array(members.map { .object(["value": .string($0)]) })])]
        } else {
            operations = members.map { .object(["op": .string("remove"), "path": .string("members[value eq \(ScimJSON.quoted($0))]")]) }
        }
        _ = try await client.patch("Groups", id: id, operations)
    }

    /// Pushes these people's effective roles: their role groups (one PATCH per group that changes), or
    /// their `User.roles`.
    func syncRoles(_ people: Set<String>) async throws {
        guard !people.isEmpty else { return }
        if settings.rolesAs == .roles {
            for email in people.sorted() {
                guard let user = try await knownUser(email), user.active || roles[email] != nil else { continue }
                if user.roles != (roles[email] ?? []) {
                    var updated = user
                    updated.roles = roles[email] ?? []
                    updated.version = try await patchUser(user, [Self.replace("roles", .array(roleEntries(email)))])?.version
                    await directory.setUser(email, updated)
                }
            }
            return
        }
        if !(await directory.groupsListed) { await directory.listedGroups(try await client.list("Groups")) }
        var ids: [String: String] = [:]
        for email in people { if let user = try await knownUser(email) { ids[email] = user.id } }
        var names = Set(people.flatMap { roles[$0] ?? [] }.map(\.groupName))
        for (name, group) in await directory.groups where ScimRole(groupName: name) != nil && !group.members.isDisjoint(with: ids.values) {
            names.insert(name)
        }
        for name in names.sorted() {
            guard let role = ScimRole(groupName: name) else { continue }
            let wanted = Set(ids.filter { roles[$0.key]?.contains(role) ?? false }.values)
            try await changeMembers(group: name, adding: wanted, removing: Set(ids.values).subtracting(wanted))
        }
    }
}
