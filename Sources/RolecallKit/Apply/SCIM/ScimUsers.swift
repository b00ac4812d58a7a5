import Foundation

extension ScimTarget {
    /// The server's `/ServiceProviderConfig`, read once before anything else.
    func serverConfig() async throws -> ScimServerConfig {
        if let known = await directory.config { return known }
        let config = try await client.serviceProviderConfig()
        await directory.setConfig(config)
        return config
    }

    /// The User a member is: userName the lower-case e-mail, the primary e-mail, the name, active.
    func userBody(email: String, name: String?) -> JSONValue {
        var body: [String: JSONValue] = [
            "schemas": .array([.string(ScimClient.userSchema)]),
            "userName": .string(email),
            "displayName": .string(name ?? email),
            "emails": .array([.object(["value": .string(email), "primary": .bool(true), "type": .string("work")])]),
            "active": .bool(true),
        ]
        if let name { body["name"] = Self.nameValue(name) }
        if settings.rolesAs == .roles { body["roles"] = .array(roleEntries(email)) }
        return .object(body)
    }

    /// `name`: formatted, and split at the first space into given and family names (a server may build
    /// its displayName from those two and ignore the one sent).
    static func nameValue(_ name: String) -> JSONValue {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        var value: [String: JSONValue] = ["formatted": .string(name), "givenName": .string(parts.first ?? name)]
        if parts.count > 1 { value["familyName"] = .string(parts[1]) }
        return .object(value)
    }

    /// Whether the server shows the name rolecall wants: the same, or the userName where a server
    /// derives displayName itself (django-scim2 shows the userName when a name has one word).
    static func showsName(_ shown: String?, wanted: String, userName: String) -> Bool {
        shown == nil || shown == wanted || shown?.lowercased() == userName.lowercased()
    }

    func roleEntries(_ email: String) -> [JSONValue] { (roles[email] ?? []).sorted().map(\.entry) }

    /// The user for `email`, from what was listed or by `userName eq`.
    func knownUser(_ email: String) async throws -> ScimDirectory.User? {
        if let user = await directory.user(email) { return user }
        if await directory.usersListed { return nil }
        guard let found = try await client.findUser(userName: email) else { return nil }
        let user = ScimDirectory.User(found)
        await directory.setUser(email, user)
        return user
    }

    /// Makes the member's User exist, active, with the right name (and roles): looked up first, created
    /// when missing, patched when it differs; a 409 on create is re-read and converged.
    func ensureUser(email: String, name: String?) async throws -> ScimDirectory.User {
        if let existing = try await knownUser(email) { return try await converge(existing, email: email, name: name) }
        do {
            let client = self.client
            let created = ScimDirectory.User(try await client.createConverging("Users", userBody(email: email, name: name)) {
                try await client.findUser(userName: email)
            })
            await directory.setUser(email, created)
            return created
        } catch let error as ScimError where error.status == 409 {
            // Someone (or a run killed after its create) made it first: read it and converge.
            guard let found = try await client.findUser(userName: email) else { throw error }
            return try await converge(ScimDirectory.User(found), email: email, name: name)
        }
    }

    /// Patches an existing user to what the member should be; no request when it already is.
    func converge(_ user: ScimDirectory.User, email: String, name: String?) async throws -> ScimDirectory.User {
        var operations: [JSONValue] = []
        if !user.active { operations.append(Self.replace("active", .bool(true))) }
        if !Self.showsName(user.displayName, wanted: name ?? email, userName: email) {
            operations.append(Self.replace("displayName", .string(name ?? email)))
            if let name { operations.append(Self.replace("name", Self.nameValue(name))) }
        }
        if settings.rolesAs == .roles, user.roles != (roles[email] ?? []) {
            operations.append(Self.replace("roles", .array(roleEntries(email))))
        }
        guard !operations.isEmpty else {
            await directory.setUser(email, user)   // found by a look-up after a 409: known from now on
            return user
        }
        var updated = user
        updated.active = true
        updated.displayName = name ?? email
        if settings.rolesAs == .roles { updated.roles = roles[email] ?? [] }
        updated.version = try await patchUser(user, operations)?.version
        await directory.setUser(email, updated)
        return updated
    }

    /// A PATCH of a user with `If-Match` when the server offers ETags; a 412 (changed meanwhile) is
    /// re-read and tried once more.
    func patchUser(_ user: ScimDirectory.User, _ operations: [JSONValue]) async throws -> ScimResource? {
        let etag = try await serverConfig().etag
        do {
            return try await client.patch("Users", id: user.id, operations, ifMatch: etag ? user.version : nil)
        } catch let error as ScimError where error.status == 412 {
            let fresh = try await client.get("Users", id: user.id)
            return try await client.patch("Users", id: user.id, operations, ifMatch: fresh?.version)
        }
    }

    static func replace(_ path: String, _ value: JSONValue) -> JSONValue {
        .object(["op": .string("replace"), "path": .string(path), "value": value])
    }

    /// A removed member: `PATCH active=false` (on_remove: deactivate) or `DELETE` (on_remove: delete).
    func removeUser(email: String, recorded: Attributes?) async throws {
        guard let user = try await knownUser(email) else { return }
        if settings.onRemove == .delete {
            try await client.delete("Users", id: user.id)
            await directory.setUser(email, nil)
            return
        }
        guard user.active else { return }
        var updated = user
        updated.active = false
        updated.version = try await patchUser(user, [Self.replace("active", .bool(false))])?.version
        await directory.setUser(email, updated)
    }

    /// The state's view of a member after the change: active at once (no invitation step), with the
    /// user's id and version.
    func applied(_ change: Change, _ user: ScimDirectory.User) -> AppliedResource {
        var attributes = change.after ?? Attributes()
        attributes["status"] = .string("active")
        attributes["invited_at"] = nil
        return AppliedResource(attributes: attributes, remoteID: user.id, version: user.version)
    }
}
