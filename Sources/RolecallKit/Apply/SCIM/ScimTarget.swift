import Foundation

/// Carries out one org's changes on a SCIM 2.0 server (RFC 7643/7644): members are Users, teams
/// Groups, and each person's effective roles groups `role:<role>` / `role:<app>:<role>` or
/// `User.roles`. Every change converges (a user is looked up before it is created; a 409 is re-read), so
/// a run killed at any point and run again ends in the same place, without duplicates.
///
/// Roles are pushed per person from the state the plan leads to, not per binding: people whose roles
/// may have changed are collected and their role groups patched together (at most 10,000 at a time, and
/// after the last change that touches roles). A run killed before that leaves role groups behind the
/// state; the next plan's refresh reads them and plans them back.
public final class ScimTarget: ApplyTarget {
    public let org: String
    public let settings: TargetSettings
    let client: ScimClient
    let directory = ScimDirectory()
    let run = ScimRunState()
    /// Each person's effective roles once the whole plan is applied.
    let roles: [String: Set<ScimRole>]
    /// Display names and team members in the state the plan leads to.
    let names: [String: String]
    let teamMembers: [String: Set<String>]
    /// The plan's changes, and where each is in it.
    let changes: [Change]
    let positions: [ResourceID: Int]
    let lastRoleChange: Int

    public init(org: String, settings: TargetSettings, client: ScimClient, plan: Plan, state: State) {
        self.org = org
        self.settings = settings
        self.client = client
        var projected = state
        for change in plan.changes where change.id.org == org {
            // SCIM users are provisioned directly: active at once, never an invitation pending.
            var direct = change
            if change.id.kind == .member, direct.after != nil { direct.after?["status"] = .string("active") }
            projected.apply(direct)
        }
        let resources = projected.resources.filter { $0.key.org == org }
        roles = ScimRoles.effective(resources, org: org, now: plan.evaluatedAt)
        var names: [String: String] = [:]
        var teamMembers: [String: Set<String>] = [:]
        for (id, attributes) in resources {
            if id.kind == .member, case let .string(name)? = attributes["name"] { names[id.key] = name }
            if id.kind == .teamMembership, case let .string(team)? = attributes["team"], case let .string(member)? = attributes["member"] {
                teamMembers[team, default: []].insert(member)
            }
        }
        for change in state.resources where change.key.org == org && change.key.kind == .teamMembership {
            if case let .string(team)? = change.value["team"], case let .string(member)? = change.value["member"] {
                teamMembers[team, default: []].insert(member)
            }
        }
        self.names = names
        self.teamMembers = teamMembers
        changes = plan.changes
        positions = Dictionary(plan.changes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        lastRoleChange = plan.changes.lastIndex { $0.id.org == org && [.member, .teamMembership, .grant].contains($0.id.kind) } ?? -1
    }

    public var batching: BatchPolicy { .standard }
    public var continuesAfterFailure: Bool { true }
    /// People whose roles wait before they are pushed mid-run (one PATCH per role group each time).
    static let rolePushThreshold = 10_000

    public func apply(_ change: Change) async throws -> AppliedResource? {
        guard change.id.org == org else { return change.after.map { AppliedResource(attributes: $0) } }
        do {
            let applied = try await perform(change)
            try await afterChange(change)
            return applied
        } catch {
            try? await afterChange(change)
            throw error
        }
    }

    /// The server's side of one change.
    private func perform(_ change: Change) async throws -> AppliedResource? {
        switch (change.id.kind, change.action) {
        case (.member, .delete):
            try await removeUser(email: change.id.key, recorded: change.before)
            return nil
        case (.member, _):
            return try await preparedMember(change)
        case (.team, .delete):
            try await deleteGroup(change.id.key)
            return nil
        case (.team, _):
            let group = try await ensureGroup(change.id.key)
            return AppliedResource(attributes: change.after ?? Attributes(), remoteID: group.id, version: group.version)
        case (.teamMembership, _):
            let attributes = change.after ?? change.before ?? Attributes()
            guard case let .string(team)? = attributes["team"], case let .string(member)? = attributes["member"] else {
                return change.after.map { AppliedResource(attributes: $0) }
            }
            if change.action == .delete {
                try await removeMembers(group: team, emails: [member])
                return nil
            }
            try await addMembers(group: team, emails: [member])
            return change.after.map { AppliedResource(attributes: $0) }
        default:
            // Settings, apps, custom roles and grants live in rolecall; grants reach the server as roles.
            return change.after.map { AppliedResource(attributes: $0) }
        }
    }

    /// Notes whose roles the change may have moved, and pushes roles when enough have gathered or
    /// no change that touches roles is left.
    private func afterChange(_ change: Change) async throws {
        var people: Set<String> = []
        let attributes = change.after ?? change.before ?? Attributes()
        switch change.id.kind {
        case .member: people.insert(change.id.key)
        case .teamMembership, .grant:
            if case let .string(member)? = attributes["member"] { people.insert(member) }
            if change.id.kind == .grant, case let .string(team)? = attributes["team"] { people.formUnion(teamMembers[team] ?? []) }
        default: break
        }
        let pending = await run.mark(people)
        let position = positions[change.id] ?? Int.max
        if pending >= Self.rolePushThreshold || (pending > 0 && position >= lastRoleChange) {
            try await syncRoles(await run.takeDirty())
        }
    }
}

/// What one run has gathered: results prepared ahead for later changes, and people whose roles wait
/// to be pushed.
actor ScimRunState {
    private var prepared: [ResourceID: Result<AppliedResource, any Error>] = [:]
    private var dirty: Set<String> = []

    func mark(_ people: Set<String>) -> Int {
        dirty.formUnion(people)
        return dirty.count
    }

    func takeDirty() -> Set<String> {
        defer { dirty = [] }
        return dirty
    }

    func store(_ id: ResourceID, _ result: Result<AppliedResource, any Error>) { prepared[id] = result }
    func take(_ id: ResourceID) -> Result<AppliedResource, any Error>? { prepared.removeValue(forKey: id) }
}
