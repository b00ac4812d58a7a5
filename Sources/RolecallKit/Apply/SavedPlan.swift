import Foundation

/// What `apply PLANFILE` checks before it carries out a saved plan, beyond its seal and staleness: a
/// plan file is input like any other, so it gets no more trust than manifests do.
///
/// - every change must start from what the state holds now (its `before`, or nothing for a create);
/// - every resource the plan writes must be one valid manifests could describe: names, keys,
///   attribute names and values, checked with the manifest stage's own rules (`Scalars`), roles
///   against the catalog and the custom roles the org will have, references to what will exist;
/// - the policies (`Policies.check`) run over the plan against the state as it is now, with the
///   command line's `--max-removals` / `--allow-removals`: the resources the plan leads to stand in
///   for the desired state.
public enum SavedPlan {
    public static func check(_ plan: Plan, state: State, options: PlanOptions,
                             rules: [any PlanPolicy] = Policies.rules) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var resulting = state
        for change in plan.changes {
            if let problem = startProblem(change, state: state) { problems.append(.error(.savedPlanInvalid, problem, at: nil)) }
            resulting.apply(change)
        }
        if !problems.isEmpty { return problems }
        let checker = ResourceCheck(resources: resulting.resources)
        for change in plan.changes where change.action != .delete {
            for problem in checker.problems(change.id) {
                problems.append(.error(.savedPlanInvalid, "saved plan: \(change.id) in org '\(change.id.org)': \(problem)", at: nil))
            }
        }
        problems += danglingProblems(plan, resulting: resulting)
        if !problems.isEmpty { return problems }
        return Policies.check(plan: plan, desired: DesiredState(resulting: resulting.resources), state: state,
                              options: options, rules: rules)
    }

    /// A resource the plan removes while something left in the state still refers to it (a grant kept
    /// for a member who is gone would be access without membership).
    static func danglingProblems(_ plan: Plan, resulting: State) -> [Diagnostic] {
        let removed = Set(plan.changes.lazy.filter { $0.action == .delete && $0.id.kind != .settings }.map(\.id))
        guard !removed.isEmpty else { return [] }
        let orgs = Set(removed.map(\.org))
        var problems: [Diagnostic] = []
        for (id, attributes) in resulting.resources where orgs.contains(id.org) {
            for reference in ResourceCheck.references(id, attributes) where removed.contains(reference) && resulting.resources[reference] == nil {
                problems.append(.error(.savedPlanInvalid, "saved plan: removes \(reference) in org '\(id.org)' but keeps \(id), which refers to it", at: nil))
            }
        }
        return problems
    }

    /// Why a change cannot be applied to the state as it is; nil when it can.
    static func startProblem(_ change: Change, state: State) -> String? {
        let now = state.resources[change.id]
        switch change.action {
        case .create:
            if change.after == nil { return "saved plan: create of \(change.id) has no attributes" }
            if now != nil { return "saved plan: creates \(change.id) in org '\(change.id.org)', which the state already holds" }
        case .update:
            if change.after == nil { return "saved plan: update of \(change.id) has no attributes" }
            if now == nil || now != change.before {
                return "saved plan: updates \(change.id) in org '\(change.id.org)' from attributes the state does not hold"
            }
        case .delete:
            if now == nil || now != change.before {
                return "saved plan: removes \(change.id) in org '\(change.id.org)' with attributes the state does not hold"
            }
        }
        return nil
    }
}

/// Checks one resource of the state a plan leads to, with the rules the manifest stage applies to what
/// it reads (one rule per attribute; the resource as a whole must be what a declaration gives).
struct ResourceCheck {
    let resources: ResourceTable
    /// Custom roles per org and scope, from the role resources.
    private var custom: [String: [RoleScope: Set<String>]] = [:]

    init(resources: ResourceTable) {
        self.resources = resources
        for (id, attributes) in resources where id.kind == .role {
            guard case let .string(scope)? = attributes["scope"], let s = RoleScope(rawValue: scope) else { continue }
            custom[id.org, default: [:]][s, default: []].insert(id.key)
        }
    }

    /// The resources one refers to: a membership's team and member, a grant's subject, app and role, a
    /// member's role (custom roles are resources; built-in ones are not, and are never removed).
    static func references(_ id: ResourceID, _ a: Attributes) -> [ResourceID] {
        var found: [ResourceID] = []
        func add(_ kind: ResourceKind, _ value: Value?) {
            if case let .string(key)? = value { found.append(ResourceID(org: id.org, kind: kind, key: key)) }
        }
        switch id.kind {
        case .teamMembership, .grant:
            add(.member, a["member"])
            add(.team, a["team"])
            add(.app, a["app"])
            add(.role, a["role"])
        case .member: add(.role, a["role"])
        case .apiKey:
            add(.member, a["owner"])
            add(.app, a["app"])
        default: break
        }
        return found
    }

    /// Attribute names each kind may carry (what `DesiredState` writes, and the state-only ones).
    static let allowed: [ResourceKind: Set<String>] = [
        .settings: ["catalog", "invitation_ttl", "max_removals", "plan", "protected_roles", "seats", "timezone"],
        .app: ["description", "visibility"],
        .role: ["description", "permissions", "scope"],
        .member: ["expires", "name", "reason", "role", "sso", "ticket"],
        .team: ["description"],
        .teamMembership: ["expires", "member", "reason", "team", "ticket"],
        .grant: ["app", "attributes", "expires", "member", "reason", "role", "team", "ticket"],
        .apiKey: ["access", "app", "expires", "owner", "purpose", "reason", "rotate_every", "ticket"],
    ]

    func problems(_ id: ResourceID) -> [String] {
        guard let attributes = resources[id] else { return [] }
        var found: [String] = []
        if let problem = Scalars.slugProblem(id.org) { found.append("org name '\(id.org)': \(problem)") }
        let allowed = Self.allowed[id.kind] ?? []
        for name in attributes.keys where !allowed.contains(name) && !State.isStateOnly(name) {
            found.append("unknown attribute '\(name)'")
        }
        for (name, value) in attributes where ["description", "name", "reason", "ticket", "plan"].contains(name) {
            if case .string = value { continue }
            found.append("'\(name)' must be a string")
        }
        found += stateOnlyProblems(id, attributes)
        if let value = attributes["expires"] {
            if case let .string(text) = value, Timestamp.isCanonical(text) {} else { found.append("'expires' must be a timestamp, not \(value)") }
        }
        switch id.kind {
        case .settings: found += settingsProblems(id, attributes)
        case .app: found += keyProblem(id.key, Scalars.slugProblem, "app name") + oneOf(attributes, "visibility", Visibility.allCases.map(\.rawValue))
        case .role: found += roleProblems(id, attributes)
        case .member: found += memberProblems(id, attributes)
        case .team: found += keyProblem(id.key, Scalars.slugProblem, "team name")
        case .teamMembership: found += membershipProblems(id, attributes)
        case .grant: found += grantProblems(id, attributes)
        case .apiKey: found += apiKeyProblems(id, attributes)
        }
        return found
    }

    /// The attributes only the state records (`State.stateOnlyAttributes`): a member's status and the
    /// instants of its invitation, a target's id and version.
    private func stateOnlyProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found: [String] = []
        for name in ["status", "invited_at", "accepted_at"] where a[name] != nil && id.kind != .member {
            found.append("'\(name)' is recorded for members only")
        }
        if a["status"] != nil { found += oneOf(a, "status", ["invited", "active"]) }
        for name in ["invited_at", "accepted_at"] {
            guard let value = a[name] else { continue }
            if case let .string(text) = value, Timestamp.isCanonical(text) {} else { found.append("'\(name)' must be a timestamp") }
        }
        for name in ["created_at", "rotated_at"] where a[name] != nil {
            if id.kind != .apiKey { found.append("'\(name)' is recorded for API keys only") }
            if case let .string(text)? = a[name], Timestamp.isCanonical(text) {} else { found.append("'\(name)' must be a timestamp") }
        }
        for name in [AppliedResource.remoteIDAttribute, AppliedResource.versionAttribute, State.declaredAtAttribute] {
            guard let value = a[name] else { continue }
            if case .string = value {} else { found.append("'\(name)' must be a string") }
        }
        return found
    }

    private func keyProblem(_ key: String, _ rule: (String) -> String?, _ what: String) -> [String] {
        rule(key).map { ["\(what) '\(key)': \($0)"] } ?? []
    }

    private func oneOf(_ attributes: Attributes, _ name: String, _ choices: [String], required: Bool = true) -> [String] {
        guard let value = attributes[name] else { return required ? ["'\(name)' is missing"] : [] }
        if case let .string(text) = value, choices.contains(text) { return [] }
        return ["'\(name)' must be one of \(choices.joined(separator: ", ")), not \(value)"]
    }

    private func settingsProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found = id.key.isEmpty ? [] : ["settings have no key, found '\(id.key)'"]
        found += oneOf(a, "catalog", CatalogID.allCases.map(\.rawValue))
        if case let .string(zone)? = a["timezone"] {
            if !Scalars.isKnownTimeZone(zone) { found.append("unknown time zone '\(zone)'") }
        } else {
            found.append("'timezone' must be a time zone name")
        }
        if let seats = a["seats"], !Self.isInt(seats, atLeast: 1) { found.append("'seats' must be a number of at least 1") }
        if let ttl = a["invitation_ttl"], !Self.isInt(ttl, atLeast: 1) { found.append("'invitation_ttl' must be a positive number of seconds") }
        if let roles = a["protected_roles"] {
            if case let .strings(names) = roles, names.allSatisfy({ Scalars.slugProblem($0) == nil }) {} else {
                found.append("'protected_roles' must be a list of role names")
            }
        }
        if let limit = a["max_removals"] {
            if case let .string(text) = limit, RemovalLimit(text) != nil {} else { found.append("'max_removals' must be a count or a share like 10%") }
        }
        if case let .string(plan)? = a["plan"], case let .string(catalog)? = a["catalog"], let cid = CatalogID(rawValue: catalog),
           RoleCatalog.builtin(cid).seatPlan(named: plan) == nil {
            found.append("catalog '\(catalog)' has no plan '\(plan)'")
        }
        return found
    }

    private static func isInt(_ value: Value, atLeast least: Int) -> Bool {
        if case let .int(n) = value { return n >= least }
        return false
    }

    private func roleProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found = keyProblem(id.key, Scalars.roleNameProblem, "role name") + oneOf(a, "scope", RoleScope.allCases.map(\.rawValue))
        if let permissions = a["permissions"] {
            if case .strings = permissions {} else { found.append("'permissions' must be a list of names") }
        }
        return found
    }

    private func memberProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found = emailProblems(id.key, "member")
        if let sso = a["sso"] {
            if case .bool = sso {} else { found.append("'sso' must be true or false") }
        }
        found += roleFits(a["role"], scope: .org, org: id.org)
        return found
    }

    private func membershipProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        guard case let .string(team)? = a["team"], case let .string(member)? = a["member"] else {
            return ["a team membership names a 'team' and a 'member'"]
        }
        var found = keyProblem(team, Scalars.slugProblem, "team name") + emailProblems(member, "member")
        if id.key != "\(team)/\(member)" { found.append("key '\(id.key)' does not match team '\(team)' and member '\(member)'") }
        found += exists(.team, team, org: id.org) + exists(.member, member, org: id.org)
        return found
    }

    private func grantProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found: [String] = []
        let subject: Subject
        switch (a["member"], a["team"]) {
        case let (.string(member)?, nil):
            found += emailProblems(member, "member") + exists(.member, member, org: id.org)
            subject = .member(member)
        case let (nil, .string(team)?):
            found += keyProblem(team, Scalars.slugProblem, "team name") + exists(.team, team, org: id.org)
            subject = .team(team)
        default:
            return found + ["a grant names exactly one of 'member' and 'team'"]
        }
        guard case let .string(role)? = a["role"] else { return found + ["'role' is missing"] }
        var app: String?
        if let value = a["app"] {
            guard case let .string(name) = value else { return found + ["'app' must be an app name"] }
            app = name
            found += keyProblem(name, Scalars.slugProblem, "app name") + exists(.app, name, org: id.org)
        }
        found += roleFits(a["role"], scope: app == nil ? .org : .app, org: id.org)
        let key = GrantKey(subject: subject, role: role, app: app).stateKey
        if id.key != key { found.append("key '\(id.key)' does not match its attributes ('\(key)')") }
        if let attributes = a["attributes"] {
            if case .map = attributes {} else { found.append("'attributes' must be a mapping of names to lists") }
            if (custom[id.org]?[app == nil ? .org : .app] ?? []).contains(role) == false {
                found.append("role '\(role)' is built in and takes no attributes; attributes are for custom roles")
            }
        }
        return found
    }

    private func apiKeyProblems(_ id: ResourceID, _ a: Attributes) -> [String] {
        var found = keyProblem(id.key, Scalars.slugProblem, "API key name") + oneOf(a, "access", APIKeyAccess.allCases.map(\.rawValue))
        if case let .string(owner)? = a["owner"] {
            found += emailProblems(owner, "owner") + exists(.member, owner, org: id.org)
        } else {
            found.append("'owner' must be a member's e-mail address")
        }
        if case let .string(app)? = a["app"] { found += exists(.app, app, org: id.org) } else { found.append("'app' must be an app name") }
        if a["rotate_every"] != nil, KeyRotation.period(a) == nil { found.append("'rotate_every' must be a number of days like \"90d\"") }
        return found
    }

    private func emailProblems(_ email: String, _ what: String) -> [String] {
        if let problem = Scalars.emailProblem(email) { return ["\(what) '\(email)': \(problem)"] }
        if email != Scalars.emailKey(email) { return ["\(what) '\(email)' is not in lower case"] }
        return []
    }

    private func exists(_ kind: ResourceKind, _ key: String, org: String) -> [String] {
        resources[ResourceID(org: org, kind: kind, key: key)] == nil ? ["\(kind.noun) '\(key)' is not in org '\(org)'"] : []
    }

    /// The role is a built-in role of the org's catalog at this scope, or a custom role of the org.
    private func roleFits(_ value: Value?, scope: RoleScope, org: String) -> [String] {
        guard case let .string(role)? = value else { return ["'role' must be a role name"] }
        if let problem = Scalars.roleNameProblem(role) { return ["role name '\(role)': \(problem)"] }
        let settings = resources[ResourceID(org: org, kind: .settings, key: "")]
        var catalog = RoleCatalog.builtin(.custom)
        if case let .string(name)? = settings?["catalog"], let id = CatalogID(rawValue: name) { catalog = RoleCatalog.builtin(id) }
        if catalog.role(named: role, in: scope) != nil || custom[org]?[scope]?.contains(role) == true { return [] }
        return ["unknown \(scope.rawValue) role '\(role)' in org '\(org)' (catalog '\(catalog.id.rawValue)')"]
    }
}
