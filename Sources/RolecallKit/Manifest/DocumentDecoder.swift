import Foundation

/// Decodes one document into declarations, reporting shape and format problems to the sink.
/// Entities with a problem are still returned where they can be (so that references to them do
/// not cause a second, misleading error); the run fails on the first diagnostic of severity error.
struct DocumentDecoder {
    let document: YAMLDocument
    let sink: DiagnosticSink

    static let topLevelKeys = ["org", "settings", "apps", "roles", "members", "teams", "grants", "api_keys"]
    /// The top-level keys whose values are lists of entities.
    static let listKeys: Set<String> = ["apps", "roles", "members", "teams", "grants"]
    static let settingsKeys = ["catalog", "plan", "seats", "timezone", "max_removals", "invitation_ttl", "policy", "review_every", "target"]
    static let appKeys = ["name", "visibility", "description"]
    static let roleKeys = ["name", "scope", "permissions", "description"]
    static let memberKeys = ["email", "name", "role", "sso", "expires", "ticket", "reason", "reviewed", "review_every"]
    static let teamKeys = ["name", "description", "members", "roles"]
    static let teamMemberKeys = ["email", "expires", "ticket", "reason"]
    static let teamRoleKeys = ["role", "app", "expires", "ticket", "reason"]
    static let grantKeys = ["member", "team", "role", "app", "expires", "ticket", "reason", "attributes", "reviewed", "review_every"]

    /// nil for an empty document or one too broken to name its org.
    func decode() -> DocumentDeclarations? {
        var none = DecodedItems()
        return decode(taking: &none)
    }

    /// Decodes the document, whose list items `items` holds where they were taken while it was read;
    /// they (and their diagnostics) are kept only when the document names its org.
    func decode(taking items: inout DecodedItems) -> DocumentDeclarations? {
        guard let root = document.root, !root.isNull else { return nil }
        guard let fields = Fields(root, what: "a manifest document", in: document, sink: sink) else { return nil }
        fields.finish(allowed: Self.topLevelKeys)
        guard let org = fields.string("org", required: true) else { return nil }
        if let problem = Scalars.slugProblem(org.value) {
            sink.error(.invalidName, "invalid org name '\(org.value)': \(problem)", at: org.location)
        }
        var result = DocumentDeclarations(org: org)
        if let node = fields.node("settings") { result.settings = settings(node) }
        // A list's items were either all taken while reading (and are in `items`) or all left in the
        // tree. Taken lists are moved, not copied.
        sink.append(contentsOf: items.diagnostics)
        sink.omit(items.omitted)
        var apps = each(fields, "apps", app)
        result.apps = Self.joined(&items.apps, &apps)
        var roles = each(fields, "roles", customRole)
        result.roles = Self.joined(&items.roles, &roles)
        var members = each(fields, "members", member)
        result.members = Self.joined(&items.members, &members)
        var teams: [Team] = []
        var teamGrants: [Grant] = []
        for team in fields.list("teams") ?? [] {
            if let (team, teamRoles) = self.team(team) {
                teams.append(team)
                teamGrants += teamRoles
            }
        }
        result.teams = Self.joined(&items.teams, &teams)
        // The teams' roles first, then the grants, as written in a tree.
        var roleGrants = Self.joined(&items.teamGrants, &teamGrants)
        var direct = each(fields, "grants", grant)
        var grants = Self.joined(&items.grants, &direct)
        result.grants = Self.joined(&roleGrants, &grants)
        result.apiKeys = each(fields, "api_keys", apiKey)
        return result
    }

    /// `first` followed by `second`, leaving both empty. When one is empty (always so for a list
    /// taken while reading) the other is handed over as it is, not copied.
    private static func joined<T>(_ first: inout [T], _ second: inout [T]) -> [T] {
        if second.isEmpty { return moveOut(&first) }
        if first.isEmpty { return moveOut(&second) }
        var result = moveOut(&first)
        result += moveOut(&second)
        return result
    }

    /// Decodes every item of a list; sized up front (a 100k-member list regrown item by item moved
    /// every member several times).
    private func each<T>(_ fields: Fields, _ key: String, _ decode: (YAMLNode) -> T?) -> [T] {
        let items = fields.list(key) ?? []
        var decoded: [T] = []
        decoded.reserveCapacity(items.count)
        for item in items {
            if let value = decode(item) { decoded.append(value) }
        }
        return decoded
    }

    private func settings(_ node: YAMLNode) -> Settings? {
        guard let f = Fields(node, what: "settings", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.settingsKeys)
        var settings = Settings(location: f.location)
        if let catalog = f.string("catalog") {
            if let id = CatalogID(rawValue: catalog.value) {
                settings.catalog = id
            } else {
                let names = CatalogID.allCases.map(\.rawValue)
                sink.error(.unknownCatalog, "unknown catalog '\(catalog.value)'" + Suggest.hint(for: catalog.value, among: names),
                           at: catalog.location,
                           notes: [DiagnosticNote("catalogs are: " + names.joined(separator: ", "))])
            }
        }
        settings.plan = f.string("plan")?.value
        if let seats = f.int("seats") {
            if seats.value < 1 {
                sink.error(.invalidSeats, "'seats' must be at least 1, found \(seats.value)", at: seats.location)
            } else {
                settings.seats = seats.value
            }
        }
        if let limit = f.string("max_removals") {
            if let parsed = RemovalLimit(limit.value) {
                settings.maxRemovals = parsed
            } else {
                sink.error(.invalidMaxRemovals, "'max_removals' must be a count like 5 or a share like 10%, found '\(limit.value)'", at: limit.location)
            }
        }
        if let ttl = f.string("invitation_ttl") {
            if let seconds = parseDuration(ttl.value), seconds > 0 {
                settings.invitationTTL = seconds
            } else {
                sink.error(.invalidInvitationTTL, "'invitation_ttl' must be a duration like 14d, 36h or 90m, found '\(ttl.value)'", at: ttl.location)
            }
        }
        if let node = f.node("policy") { settings.policy = policy(node) }
        settings.reviewEvery = f.string("review_every").flatMap { period($0, "review_every") }
        if let zone = f.string("timezone"), let name = TimeZoneNames.check(zone.value, at: zone.location, sink: sink) {
            settings.timezone = name
        }
        if let target = f.node("target") { settings.target = targetSettings(target) }
        return settings
    }

    func app(_ node: YAMLNode) -> App? {
        guard let f = Fields(node, what: "app", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.appKeys)
        guard let name = slug(f, "name", "app") else { return nil }
        var visibility = Visibility.private
        if let written = f.string("visibility") {
            if let v = Visibility(rawValue: written.value) {
                visibility = v
            } else {
                sink.error(.invalidVisibility, "visibility must be 'public' or 'private', found '\(written.value)'", at: written.location)
            }
        }
        return App(name: name.value, visibility: visibility, description: f.string("description")?.value,
                   location: f.location)
    }

    func customRole(_ node: YAMLNode) -> CustomRole? {
        guard let f = Fields(node, what: "role", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.roleKeys)
        let name = f.string("name", required: true)
        if let name, let problem = Scalars.roleNameProblem(name.value) {
            sink.error(.invalidName, "invalid role name '\(name.value)': \(problem)", at: name.location)
        }
        var scope: RoleScope?
        if let written = f.string("scope", required: true) {
            scope = RoleScope(rawValue: written.value)
            if scope == nil {
                sink.error(.invalidScope, "scope must be 'org' or 'app', found '\(written.value)'", at: written.location)
            }
        }
        var permissions: [String] = []
        if let items = f.list("permissions") {
            if items.isEmpty {
                sink.error(.emptyPermissions, "role '\(name?.value ?? "")' has an empty permissions list", at: f.location)
            }
            for item in items {
                guard let p = Fields.string(item, named: "permission", in: document, sink: sink) else { continue }
                if let problem = permissionProblem(p.value) {
                    sink.error(.invalidPermission, "invalid permission '\(p.value)': \(problem)", at: p.location)
                }
                permissions.append(p.value)
            }
        } else if f.node("permissions") == nil {
            sink.error(.missingKey, "role is missing required key 'permissions'", at: f.location)
        }
        guard let name, let scope else { return nil }
        return CustomRole(name: name.value, scope: scope, permissions: Array(Set(permissions)).sorted(),
                          description: f.string("description")?.value, location: f.location)
    }

    private func permissionProblem(_ text: String) -> String? {
        guard !text.isEmpty else { return "it is empty" }
        if let bad = text.unicodeScalars.first(where: {
            !(("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "_-*.".unicodeScalars.contains($0))
        }) {
            return "'\(bad)' is not allowed"
        }
        if text.hasPrefix(".") || text.hasSuffix(".") || text.contains("..") { return "empty part between dots" }
        return nil
    }

    func member(_ node: YAMLNode) -> Member? {
        guard let f = Fields(node, what: "member", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.memberKeys)
        let email = self.email(f, "email")
        let role = f.string("role", required: true)
        let sso = f.bool("sso") ?? false
        let expires = expiry(f)
        guard let email else { return nil }
        return Member(email: Scalars.emailKey(email.value), writtenEmail: email.value, name: f.string("name")?.value,
                      role: role ?? Located("", at: f.location), sso: sso, expires: expires,
                      justification: justification(f), location: f.location, review: review(f))
    }

    func team(_ node: YAMLNode) -> (Team, [Grant])? {
        guard let f = Fields(node, what: "team", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.teamKeys)
        let name = slug(f, "name", "team")
        var memberships: [TeamMembership] = []
        for item in f.list("members") ?? [] {
            if case .scalar = item.content {
                guard let email = checkedEmail(Fields.string(item, named: "email", in: document, sink: sink)) else { continue }
                memberships.append(TeamMembership(email: Located(Scalars.emailKey(email.value), at: email.location), expires: nil,
                                                  justification: Justification()))
            } else if let m = Fields(item, what: "team member", in: document, sink: sink) {
                m.finish(allowed: Self.teamMemberKeys)
                let email = self.email(m, "email")
                let expires = expiry(m)
                guard let email else { continue }
                memberships.append(TeamMembership(email: Located(Scalars.emailKey(email.value), at: email.location),
                                                  expires: expires, justification: justification(m)))
            }
        }
        var grants: [Grant] = []
        for item in f.list("roles") ?? [] {
            guard let r = Fields(item, what: "team role", in: document, sink: sink) else { continue }
            r.finish(allowed: Self.teamRoleKeys)
            guard let role = r.string("role", required: true), let name else { continue }
            let app = r.string("app")
            grants.append(Grant(subject: Located(.team(name.value), at: name.location), role: role, app: app,
                                expires: expiry(r), justification: justification(r), attributes: [:],
                                location: r.location, origin: .teamRoles))
        }
        guard let name else { return nil }
        return (Team(name: name.value, description: f.string("description")?.value, members: memberships,
                     location: f.location), grants)
    }

    func grant(_ node: YAMLNode) -> Grant? {
        guard let f = Fields(node, what: "grant", in: document, sink: sink) else { return nil }
        f.finish(allowed: Self.grantKeys)
        let member = f.string("member")
        let team = f.string("team")
        var subject: Located<Subject>?
        switch (member, team) {
        case let (member?, nil):
            if let email = checkedEmail(member) { subject = Located(.member(Scalars.emailKey(email.value)), at: email.location) }
        case let (nil, team?):
            subject = Located(.team(team.value), at: team.location)
        case (_?, _?):
            sink.error(.grantSubjectConflict, "grant names both 'member' and 'team'; a grant is for exactly one of them", at: f.location)
        case (nil, nil):
            sink.error(.grantWithoutSubject, "grant is missing 'member' or 'team'", at: f.location)
        }
        let role = f.string("role", required: true)
        let app = f.string("app")
        let expires = expiry(f)
        var attributes: [String: [String]] = [:]
        if let node = f.node("attributes") {
            if case let .mapping(pairs) = node.content {
                for pair in pairs {
                    let key = pair.key.scalarText ?? ""
                    let values: [YAMLNode]
                    switch pair.value.content {
                    case let .sequence(items): values = items
                    case .scalar: values = [pair.value]
                    case .mapping:
                        sink.error(.notAList, "attribute '\(key)' must be a list of strings, found a mapping",
                                   at: f.location(of: pair.value))
                        continue
                    }
                    let strings = values.compactMap { Fields.string($0, named: "attribute value", in: document, sink: sink)?.value }
                    if strings.isEmpty {
                        sink.error(.emptyAttribute, "attribute '\(key)' has no values", at: f.location(of: pair.key))
                    }
                    attributes[key] = Array(Set(strings)).sorted()
                }
            } else {
                sink.error(.notAMapping, "'attributes' must be a mapping of names to lists, found \(node.kindDescription)",
                           at: f.location(of: node))
            }
        }
        guard let subject, let role else { return nil }
        return Grant(subject: subject, role: role, app: app, expires: expires, justification: justification(f),
                     attributes: attributes, location: f.location, review: review(f))
    }

    // MARK: Shared field forms

    private func slug(_ f: Fields, _ key: String, _ what: String) -> Located<String>? {
        guard let name = f.string(key, required: true) else { return nil }
        if let problem = Scalars.slugProblem(name.value) {
            sink.error(.invalidName, "invalid \(what) name '\(name.value)': \(problem)", at: name.location)
        }
        return name
    }

    private func email(_ f: Fields, _ key: String) -> Located<String>? {
        checkedEmail(f.string(key, required: true))
    }

    /// Reports a malformed address; returns it as written (malformed ones too, so that references still match).
    private func checkedEmail(_ email: Located<String>?) -> Located<String>? {
        guard let email else { return nil }
        if let problem = Scalars.emailProblem(email.value) {
            sink.error(.invalidEmail, "invalid e-mail address '\(email.value)': \(problem)", at: email.location)
        }
        return email
    }

    /// `expires:` of a member, grant, team role or API key (also used by APIKeyDecoder.swift).
    func expiry(_ f: Fields) -> Expiry? {
        guard let written = f.string("expires") else { return nil }
        switch WrittenExpiry.parse(written.value) {
        case let .bad(message):
            sink.error(.invalidExpiry, "invalid expiry: \(message)", at: written.location)
            return nil
        case let .ok(parsed):
            return Expiry(parsed, written: written)
        }
    }

    private func justification(_ f: Fields) -> Justification {
        Justification(ticket: f.string("ticket")?.value, reason: f.string("reason")?.value)
    }
}

extension Expiry {
    /// An expiry as parsed from `written`. A date ends at midnight UTC for now; merging moves it to
    /// midnight in the org's time zone.
    init(_ parsed: WrittenExpiry, written: Located<String>) {
        switch parsed {
        case let .day(day):
            self.init(endsAt: day.next().startInUTC, written: written.value, lastDay: day, location: written.location)
        case let .instant(date):
            self.init(endsAt: date, written: written.value, lastDay: nil, location: written.location)
        }
    }
}
