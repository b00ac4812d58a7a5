import Foundation

/// Merges the declarations of every document per organization and checks them as a whole:
/// duplicates across files, references, role scopes, seat limits, expiries. Every problem is
/// reported; nothing stops at the first. `Validation` is its public entry.
struct Validator {
    let now: Date
    let sink: DiagnosticSink

    /// Merges the declarations of every document per org into the model (the checks come after,
    /// in `check`). The declarations are moved into the model (`declarations` is left empty): the
    /// lists of a large org are sorted in place, which would copy every one still shared.
    func merge(_ declarations: inout [DocumentDeclarations]) -> Manifest {
        var byOrg: [String: [DocumentDeclarations]] = [:]
        var order: [String] = []
        for d in declarations {
            if byOrg[d.org.value] == nil { order.append(d.org.value) }
            byOrg[d.org.value, default: []].append(d)
        }
        declarations = []
        let organizations = order.sorted().compactMap { name -> Organization? in
            guard var documents = byOrg.removeValue(forKey: name) else { return nil }
            return merge(name, &documents)
        }
        return Manifest(organizations: organizations)
    }

    /// Checks the merged model as a whole.
    func check(_ manifest: Manifest) {
        for org in manifest.organizations { check(org) }
    }

    // MARK: Merge

    private func merge(_ name: String, _ documents: inout [DocumentDeclarations]) -> Organization {
        let location = documents.map(\.org.location).min() ?? documents[0].org.location
        var settings: Settings?
        for d in documents {
            guard let s = d.settings else { continue }
            if let first = settings {
                sink.error(.duplicateSettings, "settings for org '\(name)' are declared twice", at: s.location,
                           notes: [DiagnosticNote("first declared here", at: first.location)])
            } else {
                settings = s
            }
        }
        let resolvedSettings = settings ?? Settings()
        let zone = Scalars.timeZone(resolvedSettings.timezone)

        // Members and teams are merged on one thread, apps, roles and grants on another (about
        // even halves of the work on a large org), each reporting to a sink of its own. Keys are
        // read by closures rather than key paths (which the runtime applies, element by element).
        var takenMembers = take(&documents, \.members)
        var takenApps = take(&documents, \.apps)
        var takenRoles = take(&documents, \.roles)
        var takenTeams = take(&documents, \.teams)
        var takenGrants = take(&documents, \.grants)
        let apiKeys = mergeKeys(take(&documents, \.apiKeys), org: name, zone: zone)
        let side = Validator(now: now, sink: DiagnosticSink())
        let ((members, teams), (apps, roles, grants)) = concurrently({ () -> ([Member], [Team]) in
            var (members, inOrder) = unique(moveOut(&takenMembers), key: { $0.email }, at: { $0.location }) {
                "member '\($0)' is declared twice in org '\(name)'"
            }
            var (teams, teamsInOrder) = unique(moveOut(&takenTeams), key: { $0.name }, at: { $0.location }) {
                "team '\($0)' is declared twice in org '\(name)'"
            }
            var midnights = Midnights(zone: zone)
            for i in members.indices { midnights.resolve(&members[i].expires) }
            for i in teams.indices {
                for j in teams[i].members.indices { midnights.resolve(&teams[i].members[j].expires) }
            }
            // Sorted in place (a copy of each member costs as much as the sort); a list `unique`
            // found in order (ASCII keys, ascending bytes) needs no second look.
            if !inOrder { sortIfNeeded(&members) { byteOrder($0.email, $1.email) } }
            for i in teams.indices { sortIfNeeded(&teams[i].members) { byteOrder($0.email.value, $1.email.value) } }
            if !teamsInOrder { sortIfNeeded(&teams) { byteOrder($0.name, $1.name) } }
            return (members, teams)
        }, { () -> ([App], [CustomRole], [Grant]) in
            var (apps, appsInOrder) = side.unique(moveOut(&takenApps), key: { $0.name }, at: { $0.location }) {
                "app '\($0)' is declared twice in org '\(name)'"
            }
            var (roles, rolesInOrder) = side.unique(moveOut(&takenRoles), key: { $0.name }, at: { $0.location }) {
                "role '\($0)' is declared twice in org '\(name)'"
            }
            var grants = side.uniqueHashing(moveOut(&takenGrants), key: { $0.key }, at: { $0.location }) {
                "grant of \($0) is declared twice in org '\(name)'"
            }
            var midnights = Midnights(zone: zone)
            for i in grants.indices { midnights.resolve(&grants[i].expires) }
            // Manifests are usually kept sorted, and a list already in order is left as it is.
            if !appsInOrder { sortIfNeeded(&apps) { $0.name < $1.name } }
            if !rolesInOrder { sortIfNeeded(&roles) { $0.name < $1.name } }
            sortIfNeeded(&grants) { $0.key < $1.key }
            return (apps, roles, grants)
        })
        sink.append(contentsOf: side.sink.diagnostics)
        return Organization(name: name, location: location, settings: resolvedSettings, apps: apps, roles: roles,
                            members: members, teams: teams, grants: grants, apiKeys: apiKeys)
    }

    /// Date-only expiries end at the next midnight in the org's zone; many share a day, and the
    /// calendar arithmetic is the slow part, so each day is worked out once.
    struct Midnights {
        let zone: TimeZone
        var known: [CalendarDay: Date] = [:]

        mutating func resolve(_ expiry: inout Expiry?) {
            guard let day = expiry?.lastDay else { return }
            if let date = known[day] {
                expiry?.endsAt = date
            } else {
                expiry = expiry?.resolved(in: zone)
                known[day] = expiry?.endsAt
            }
        }
    }

    /// Sorts `items` unless they already are in order (one pass instead of a sort that moves every element).
    /// Elements are read in place, here and in `unique`: iterating an array copies each element, and a
    /// member holds about ten strings to retain and release.
    private func sortIfNeeded<T>(_ items: inout [T], by less: (T, T) -> Bool) {
        let sorted = items.withUnsafeBufferPointer { all in all.indices.dropFirst().allSatisfy { !less(all[$0], all[$0 - 1]) } }
        guard !sorted else { return }
        items.sort(by: less)
    }

    /// One kind of declaration from every document, moved out of them (no copy when only one
    /// document has any).
    private func take<T>(_ documents: inout [DocumentDeclarations], _ part: WritableKeyPath<DocumentDeclarations, [T]>) -> [T] {
        var all: [T] = []
        for i in documents.indices where !documents[i][keyPath: part].isEmpty {
            if all.isEmpty {
                swap(&all, &documents[i][keyPath: part])
            } else {
                all.append(contentsOf: documents[i][keyPath: part])
                documents[i][keyPath: part] = []
            }
        }
        return all
    }

    /// `unique` for lists keyed by a string: a list already in strictly ascending byte order of
    /// ASCII keys (a kept-sorted manifest) can hold no key twice, and is known so in one pass,
    /// without hashing every key (for ASCII, equal strings are equal bytes).
    /// `inOrder` tells that they were (and so are sorted in byte order, which for ASCII is also the
    /// order of `<`).
    private func unique<T>(_ items: [T], key: (T) -> String, at location: (T) -> SourceLocation,
                           message: (String) -> String) -> (kept: [T], inOrder: Bool) {
        let ascending = items.withUnsafeBufferPointer { all in
            all.indices.allSatisfy { i in
                let k = key(all[i])
                return k.isASCII && (i == 0 || byteOrder(key(all[i - 1]), k))
            }
        }
        return ascending ? (items, true) : (uniqueHashing(items, key: key, at: location, message: message), false)
    }

    /// Keeps the first of each key; later ones are reported with a note pointing at the first.
    func uniqueHashing<T, K: Hashable>(_ items: [T], key: (T) -> K, at location: (T) -> SourceLocation,
                                               message: (K) -> String) -> [T] {
        var seen: [K: Int] = [:]
        seen.reserveCapacity(items.count)
        var repeated: [Int] = []
        items.withUnsafeBufferPointer { all in
            for i in all.indices {
                let k = key(all[i])
                if let first = seen[k] {
                    sink.error(.duplicateDeclaration, message(k), at: location(all[i]), notes: [DiagnosticNote("first declared here", at: location(all[first]))])
                    repeated.append(i)
                } else {
                    seen[k] = i
                }
            }
        }
        guard !repeated.isEmpty else { return items }
        let drop = Set(repeated)
        return items.indices.filter { !drop.contains($0) }.map { items[$0] }
    }

    // MARK: Checks

    private func check(_ org: Organization) {
        let catalog = org.catalog
        checkSettings(org, catalog)
        checkCustomRoles(org, catalog)
        let roles = RoleIndex(org: org)
        var memberEmails = Set<String>(minimumCapacity: org.members.count)
        for i in org.members.indices { memberEmails.insert(org.members[i].email) }
        let teamNames = Set(org.teams.map(\.name)), memberSuggestions = LazySuggestions(memberEmails)
        let appNames = Set(org.apps.map(\.name))

        // Members are read in place (iterating copies each one: about ten strings to retain and release).
        org.members.withUnsafeBufferPointer { members in
            for i in members.indices {
                if !members[i].role.value.isEmpty {
                    roles.check(members[i].role, scope: .org, use: "a member's org role", sink: sink)
                }
                expiryWarning(members[i].expires, "membership of \(members[i].email) in org '\(org.name)'", org)
            }
        }
        for team in org.teams {
            // Merging sorted each team's members by address (a stable sort), so an address listed
            // twice is listed next to itself, its first listing first.
            var first: Located<String>?
            for m in team.members {
                if let run = first, compareBytes(run.value, m.email.value) == 0 {
                    sink.error(.duplicateTeamMember, "'\(m.email.value)' is listed twice in team '\(team.name)'", at: m.email.location,
                               notes: [DiagnosticNote("first listed here", at: run.location)])
                } else {
                    first = m.email
                }
                if !memberEmails.contains(m.email.value) {
                    sink.error(.unknownMember, "team '\(team.name)' lists '\(m.email.value)', who is not a member of org '\(org.name)'"
                               + memberSuggestions.hint(for: m.email.value),
                               at: m.email.location,
                               notes: [DiagnosticNote("declare them under 'members:' with an org role first")])
                }
                expiryWarning(m.expires, "membership of \(m.email.value) in team '\(team.name)'", org)
            }
        }
        for grant in org.grants {
            switch grant.subject.value {
            case let .member(email) where !memberEmails.contains(email):
                sink.error(.unknownMember, "grant names '\(email)', who is not a member of org '\(org.name)'"
                           + memberSuggestions.hint(for: email), at: grant.subject.location)
            case let .team(name) where !teamNames.contains(name):
                sink.error(.unknownTeam, "grant names team '\(name)', which is not declared in org '\(org.name)'"
                           + Suggest.hint(for: name, among: Array(teamNames).sorted()), at: grant.subject.location)
            default: break
            }
            if let app = grant.app, !appNames.contains(app.value) {
                sink.error(.unknownApp, "unknown app '\(app.value)' in org '\(org.name)'" + Suggest.hint(for: app.value, among: Array(appNames).sorted()),
                           at: app.location)
            }
            let scope: RoleScope = grant.app == nil ? .org : .app
            let known = roles.check(grant.role, scope: scope,
                                    use: grant.app == nil ? "an org-wide grant" : "a grant on app '\(grant.app?.value ?? "")'", sink: sink)
            if known, !grant.attributes.isEmpty, !roles.isCustom(grant.role.value, scope: scope) {
                sink.error(.builtinRoleAttributes, "role '\(grant.role.value)' is built in and takes no attributes; attributes are for custom roles",
                           at: grant.role.location)
            }
            expiryWarning(grant.expires, "grant of \(grant.key)", org)
        }
        checkAPIKeys(org, memberEmails: memberEmails, appNames: appNames)
        checkReviews(org)
        checkSeats(org, catalog)
        checkSingleHolder(org)
        // Policy guardrails (Validation/Policies/), when the org's settings set a policy.
        sink.append(contentsOf: ManifestPolicies.unknownProtectedRoles(org))
        for outcome in ManifestPolicies.check(org, now: now) { sink.append(contentsOf: outcome.diagnostics) }
    }

    /// LaunchDarkly: "exactly one owner", counted on effective access (OwnerRule.swift).
    private func checkSingleHolder(_ org: Organization) { OwnerRule(now: now, sink: sink).check(org) }

    private func checkSettings(_ org: Organization, _ catalog: RoleCatalog) {
        guard let plan = org.settings.plan else { return }
        if catalog.seatPlans.isEmpty {
            sink.error(.noSeatPlans, "catalog '\(catalog.id.rawValue)' has no seat plans; use 'seats: N' for a seat limit",
                       at: org.settings.location)
        } else if catalog.seatPlan(named: plan) == nil {
            let names = catalog.seatPlans.map(\.name)
            sink.error(.unknownSeatPlan, "unknown plan '\(plan)' for catalog '\(catalog.id.rawValue)'" + Suggest.hint(for: plan, among: names),
                       at: org.settings.location,
                       notes: [DiagnosticNote("plans are: " + names.joined(separator: ", "))])
        }
    }

    private func checkCustomRoles(_ org: Organization, _ catalog: RoleCatalog) {
        let vocabulary = catalog.permissionVocabulary
        for role in org.roles {
            if catalog.role(named: role.name, in: role.scope) != nil {
                sink.error(.builtinRoleRedeclared, "role '\(role.name)' is already a built-in \(role.scope.rawValue) role of catalog '\(catalog.id.rawValue)'",
                           at: role.location)
            }
            guard !vocabulary.isEmpty else { continue }
            for permission in role.permissions where !Self.permission(permission, isIn: vocabulary) {
                sink.warning(.unknownPermission, "permission '\(permission)' of role '\(role.name)' is not one the \(catalog.displayName) catalog knows"
                             + Suggest.hint(for: permission, among: vocabulary.sorted()), at: role.location)
            }
        }
    }

    /// `flags.*` matches any known permission that starts with `flags.`; `*` matches all.
    static func permission(_ permission: String, isIn vocabulary: Set<String>) -> Bool {
        if vocabulary.contains(permission) { return true }
        guard permission.hasSuffix("*") else { return false }
        let prefix = permission.dropLast()
        return vocabulary.contains { $0.hasPrefix(prefix) }
    }

    private func checkSeats(_ org: Organization, _ catalog: RoleCatalog) {
        let limit: Int?
        let source: String
        if let seats = org.settings.seats {
            limit = seats
            source = "'seats: \(seats)'"
        } else if let name = org.settings.plan, let plan = catalog.seatPlan(named: name) {
            limit = plan.seats
            source = "plan '\(name)'"
        } else {
            return
        }
        guard let limit else { return }
        let isActive = { (m: Member) in !(m.expires?.hasPassed(at: now) ?? false) }
        guard org.members.count > limit, org.members.count(where: isActive) > limit else { return }
        let active = org.members.filter(isActive).sorted { $0.location < $1.location }
        let first = active[limit]
        sink.error(.seatsExceeded, "org '\(org.name)' has \(active.count) members but \(source) allows \(limit) seats; '\(first.email)' is member \(limit + 1)",
                   at: first.location,
                   notes: [DiagnosticNote("seat limit set here", at: org.settings.location)])
    }

    func expiryWarning(_ expiry: Expiry?, _ what: @autoclosure () -> String, _ org: Organization) {
        guard let expiry, expiry.hasPassed(at: now) else { return }
        let zone = expiry.lastDay == nil ? "" : " (\(org.settings.timezone))"
        sink.warning(.expired, "\(what()) expired on \(expiry.written)\(zone); the plan will revoke it", at: expiry.location)
    }
}

/// Role names of one org, built-in and custom, by scope.
struct RoleIndex {
    let orgName: String
    let catalog: RoleCatalog
    let custom: [RoleScope: Set<String>]

    init(org: Organization) {
        orgName = org.name
        catalog = org.catalog
        var custom: [RoleScope: Set<String>] = [:]
        for role in org.roles { custom[role.scope, default: []].insert(role.name) }
        self.custom = custom
    }

    func names(in scope: RoleScope) -> [String] {
        catalog.roles(in: scope).map(\.name) + (custom[scope] ?? []).sorted()
    }

    func exists(_ name: String, in scope: RoleScope) -> Bool {
        catalog.role(named: name, in: scope) != nil || isCustom(name, scope: scope)
    }

    func isCustom(_ name: String, scope: RoleScope) -> Bool {
        custom[scope]?.contains(name) ?? false
    }

    /// Reports an unknown role or one used at the wrong scope; true when the role fits.
    @discardableResult
    func check(_ role: Located<String>, scope: RoleScope, use: @autoclosure () -> String, sink: DiagnosticSink) -> Bool {
        if exists(role.value, in: scope) { return true }
        let other: RoleScope = scope == .org ? .app : .org
        if exists(role.value, in: other) {
            let fix = scope == .org ? "grant it on an app with 'app:'" : "omit 'app:' to grant it org-wide"
            sink.error(.roleScopeMismatch, "role '\(role.value)' is an \(other.rawValue) role and cannot be \(use()); \(fix)", at: role.location)
            return false
        }
        let names = names(in: scope)
        let list = names.isEmpty ? "none" : names.joined(separator: ", ")
        sink.error(.unknownRole, "unknown role '\(role.value)' in org '\(orgName)'" + Suggest.hint(for: role.value, among: names),
                   at: role.location,
                   notes: [DiagnosticNote("\(scope.rawValue) roles of catalog '\(catalog.id.rawValue)' and custom roles: \(list)")])
        return false
    }
}
