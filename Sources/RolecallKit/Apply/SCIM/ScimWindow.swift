import Foundation

/// Member changes are carried out ahead, in windows: when a member change comes up, it and the member
/// changes right after it are sent together (one /Bulk request when the server offers it, else
/// `parallelism` requests in flight), and each later change takes its prepared result. The state still
/// records each change as the run reaches it; a run killed in between re-finds the users it made.
extension ScimTarget {
    func preparedMember(_ change: Change) async throws -> AppliedResource? {
        if let ready = await run.take(change.id) { return try ready.get() }
        let config = try await serverConfig()
        let size = config.bulk && settings.bulk ? min(1000, config.bulkMaxOperations) : 500
        let window = memberWindow(from: positions[change.id] ?? 0, including: change, size: size)
        if window.count > 1 {
            if !(await directory.usersListed) { await directory.listedUsers(try await client.list("Users")) }
            if config.bulk, settings.bulk { try await bulkCreate(window, config: config) } else { await parallelEnsure(window) }
        } else {
            await run.store(change.id, await ensureResult(change))
        }
        guard let ready = await run.take(change.id) else { return try await ensureResult(change).get() }
        return try ready.get()
    }

    /// The member creates and updates of this org from `position` on, without a break, at most a window.
    func memberWindow(from position: Int, including change: Change, size: Int) -> [Change] {
        guard position < changes.count, changes[position].id == change.id else { return [change] }
        var window: [Change] = []
        var index = position
        while index < changes.count, window.count < size {
            let next = changes[index]
            guard next.id.org == org, next.id.kind == .member, next.action != .delete else { break }
            window.append(next)
            index += 1
        }
        return window
    }

    func ensureResult(_ change: Change) async -> Result<AppliedResource, any Error> {
        do {
            let user = try await ensureUser(email: change.id.key, name: name(of: change))
            return .success(applied(change, user))
        } catch {
            return .failure(error)
        }
    }

    func name(of change: Change) -> String? {
        if case let .string(name)? = change.after?["name"] { return name }
        return nil
    }

    /// `parallelism` ensures in flight at a time.
    func parallelEnsure(_ window: [Change]) async {
        let width = max(1, settings.parallelism)
        await withTaskGroup(of: (ResourceID, Result<AppliedResource, any Error>).self) { group in
            var next = 0
            func launch() {
                let change = window[next]
                next += 1
                group.addTask { (change.id, await self.ensureResult(change)) }
            }
            while next < min(width, window.count) { launch() }
            while let (id, result) = await group.next() {
                await run.store(id, result)
                if next < window.count { launch() }
            }
        }
    }

    /// Users that do not exist yet are created through /Bulk, within its limits; the rest (existing
    /// users to converge, operations the bulk answer refused) go one by one.
    func bulkCreate(_ window: [Change], config: ScimServerConfig) async throws {
        var missing: [Change] = []
        for change in window {
            if await directory.user(change.id.key) == nil { missing.append(change) } else { await run.store(change.id, await ensureResult(change)) }
        }
        var start = 0
        while start < missing.count {
            var chunk: [Change] = []
            var operations: [JSONValue] = []
            var bytes = 200
            while start + chunk.count < missing.count, chunk.count < config.bulkMaxOperations {
                let change = missing[start + chunk.count]
                let operation: JSONValue = .object(["method": .string("POST"), "path": .string("/Users"),
                                                    "bulkId": .string("u\(chunk.count)"),
                                                    "data": userBody(email: change.id.key, name: name(of: change))])
                let size = operation.compact.utf8.count + 1
                if bytes + size > config.bulkMaxPayload, !chunk.isEmpty { break }
                bytes += size
                chunk.append(change)
                operations.append(operation)
            }
            start += chunk.count
            let results = try await client.bulk(operations)
            for (index, change) in chunk.enumerated() {
                guard index < results.count, (200...299).contains(results[index].status),
                      let id = results[index].response?["id"]?.stringValue ?? results[index].location?.split(separator: "/").last.map(String.init)
                else {
                    await run.store(change.id, await ensureResult(change))   // refused or unanswered: one by one, converging
                    continue
                }
                var user = ScimDirectory.User(ScimResource(.object(["id": .string(id)]))!)
                user.displayName = name(of: change) ?? change.id.key
                user.roles = settings.rolesAs == .roles ? roles[change.id.key] ?? [] : []
                user.version = results[index].response?["meta"]?["version"]?.stringValue
                await directory.setUser(change.id.key, user)
                await run.store(change.id, .success(applied(change, user)))
            }
        }
    }
}
