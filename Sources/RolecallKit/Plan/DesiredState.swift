import Foundation

/// The manifests projected onto resources at one instant: everything whose expiry has passed is left
/// out (an expired member takes their team memberships and grants along), and remembered with the
/// expiry that removed it, so the plan can say why.
public struct DesiredState: Sendable {
    /// Every resource the manifests want, with where it was declared: sorted by id, each id once.
    ///
    /// A sorted list rather than a hash table: the model's lists are already in key order, so it is
    /// built by appending, and the planner walks it in that order, which is also the order the state
    /// file lists resources in, so both are read front to back rather than at random (measured on a
    /// 100k-member org: a no-op plan took about a sixth less CPU time than with a hash table).
    public private(set) var entries: [Entry] = []
    /// Whether every id is ASCII (the planner then walks the entries side by side with the state's).
    public private(set) var idsAreASCII = true
    /// Resources the manifests declare but whose access has ended, with the expiry that ended it.
    public var expired: [ResourceID: ExpiredBy] = [:]
    /// Expiries still ahead, for notices and for a saved plan's staleness boundary.
    public var upcoming: [(id: ResourceID, expiry: Expiry)] = []
    /// Orgs whose catalog knows an owner-like top role: org -> that role's name.
    public var topRoles: [String: String] = [:]
    /// Per org, the removal guard from settings.
    public var maxRemovals: [String: RemovalLimit] = [:]
    /// Per org, how long an invitation may stay pending.
    public var invitationTTL: [String: TimeInterval] = [:]

    public struct Entry: Sendable, Hashable {
        public var id: ResourceID
        public var attributes: Attributes
        public var location: SourceLocation
    }

    /// The desired resources' attributes by id: a table built on each call (for lookups by id in
    /// bulk; `entry(_:)` finds one).
    public var resources: [ResourceID: Attributes] {
        Dictionary(entries.lazy.map { ($0.id, $0.attributes) }, uniquingKeysWith: { _, last in last })
    }

    /// The desired resource with this id.
    public func entry(_ id: ResourceID) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        if low < entries.count, entries[low].id == id { return entries[low] }
        // Ids equal as strings but not byte for byte (Unicode normalization) sort apart; rare enough to scan for.
        return entries.first { $0.id == id }
    }

    /// Where a desired resource was declared.
    public func location(of id: ResourceID) -> SourceLocation? { entry(id)?.location }

    public struct ExpiredBy: Sendable, Hashable {
        /// As written (`2026-07-15`).
        public var written: String
        public var endsAt: Date
        public var location: SourceLocation
        /// The resource whose expiry it was, when it is not this one (a member's grants).
        public var via: ResourceID?
    }

    public init(_ manifest: Manifest, now: Date) {
        let count = manifest.organizations.reduce(0) { n, org in
            n + 1 + org.apps.count + org.roles.count + org.members.count + org.grants.count
                + org.teams.reduce(0) { $0 + 1 + $1.members.count }
        }
        entries.reserveCapacity(count)
        for org in manifest.organizations { add(org, now: now) }
        Self.sortAndDeduplicate(&entries)
        idsAreASCII = entries.withUnsafeBufferPointer { all in all.indices.allSatisfy { all[$0].id.isASCII } }
    }

    /// Sorts entries by id and keeps each id once (the last one added wins, as a table's would).
    /// Each kind arrives in key order (see `add`), so usually this only checks.
    private static func sortAndDeduplicate(_ entries: inout [Entry]) {
        guard !isStrictlyAscending(entries) else { return }
        // Sorting is stable: equal ids keep the order they were added in, and the last one is kept.
        entries.sort { $0.id < $1.id }
        var kept = 0
        for i in entries.indices {
            if kept > 0, entries[kept - 1].id == entries[i].id {
                entries[kept - 1] = entries[i]
            } else {
                if kept != i { entries[kept] = entries[i] }
                kept += 1
            }
        }
        entries.removeSubrange(kept...)
    }

    private static func isStrictlyAscending(_ entries: [Entry]) -> Bool {
        entries.withUnsafeBufferPointer { all in all.indices.dropFirst().allSatisfy { ResourceID.byteCompare(all[$0 - 1].id, all[$0].id) < 0 } }
    }

    /// Entries of one kind in key order: the model's order, except where a key is written in another
    /// order than it sorts in (a grant's `team:a-b:…` before `team:a:…`; a membership's `a-b/…`).
    private static func sortedByKey(_ entries: [Entry]) -> [Entry] {
        isStrictlyAscending(entries) ? entries : entries.sorted { $0.id < $1.id }
    }

    /// The earliest expiry strictly after `now`: the instant a plan made now goes stale.
    public var nextExpiry: Date? { upcoming.map(\.expiry.endsAt).min() }

    private mutating func add(_ org: Organization, now: Date) {
        let name = org.name
        func id(_ kind: ResourceKind, _ key: String) -> ResourceID { ResourceID(org: name, kind: kind, key: key) }

        if let top = org.catalog.orgRoles.first, org.settings.catalog != .custom { topRoles[name] = top.name }
        if let limit = org.settings.maxRemovals { maxRemovals[name] = limit }

        // Attributes are added in name order (see `Attributes.init(_:)`).
        let ttl = org.settings.invitationTTL
        let settings = Attributes {
            $0.add("catalog", .string(org.settings.catalog.rawValue))
            $0.add("invitation_ttl", ttl != Settings.defaultInvitationTTL ? .int(Int(ttl)) : nil)
            $0.add("max_removals", org.settings.maxRemovals.map { .string($0.description) })
            $0.add("plan", org.settings.plan.map(Value.string))
            $0.add("seats", org.settings.seats.map(Value.int))
            $0.add("timezone", .string(org.settings.timezone))
        }
        invitationTTL[name] = ttl
        put(id(.settings, ""), settings, org.settings.location ?? org.location)

        for app in org.apps {
            let a = Attributes {
                $0.add("description", app.description.map(Value.string))
                $0.add("visibility", .string(app.visibility.rawValue))
            }
            put(id(.app, app.name), a, app.location)
        }
        for role in org.roles {
            let a = Attributes {
                $0.add("description", role.description.map(Value.string))
                $0.add("permissions", .strings(role.permissions))
                $0.add("scope", .string(role.scope.rawValue))
            }
            put(id(.role, role.name), a, role.location)
        }

        var expiredMembers: [String: ExpiredBy] = [:]
        for member in org.members {
            let memberID = id(.member, member.email)
            // The key is the lower-case address; the spelling in manifests is not state (case never causes a change).
            let a = Attributes {
                $0.add("expires", Self.format(member.expires))
                $0.add("name", member.name.map(Value.string))
                $0.add("reason", member.justification.reason.map(Value.string))
                $0.add("role", .string(member.role.value))
                $0.add("sso", .bool(member.sso))
                $0.add("ticket", member.justification.ticket.map(Value.string))
            }
            if let gone = passed(member.expires, now) {
                expiredMembers[member.email] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location,
                                                         via: memberID)
                expired[memberID] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location, via: nil)
                continue
            }
            note(member.expires, memberID, now)
            put(memberID, a, member.location)
        }

        // Memberships go after all teams, to keep each kind together.
        var memberships: [Entry] = []
        for team in org.teams {
            put(id(.team, team.name), Attributes { $0.add("description", team.description.map(Value.string)) }, team.location)
            for m in team.members {
                let membershipID = id(.teamMembership, "\(team.name)/\(m.email.value)")
                let attrs = Attributes {
                    $0.add("expires", Self.format(m.expires))
                    $0.add("member", .string(m.email.value))
                    $0.add("reason", m.justification.reason.map(Value.string))
                    $0.add("team", .string(team.name))
                    $0.add("ticket", m.justification.ticket.map(Value.string))
                }
                if let gone = passed(m.expires, now) {
                    expired[membershipID] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location, via: nil)
                } else if !expiredMembers.isEmpty, let by = expiredMembers[m.email.value] {
                    expired[membershipID] = by
                } else {
                    note(m.expires, membershipID, now)
                    memberships.append(Entry(id: membershipID, attributes: attrs, location: m.email.location))
                }
            }
        }
        entries += Self.sortedByKey(memberships)

        var grants: [Entry] = []
        grants.reserveCapacity(org.grants.count)
        for grant in org.grants {
            let grantID = id(.grant, grant.key.stateKey)
            var member: Value?
            var team: Value?
            switch grant.subject.value {
            case let .member(email): member = .string(email)
            case let .team(name): team = .string(name)
            }
            let a = Attributes {
                $0.add("app", grant.app.map { .string($0.value) })
                $0.add("attributes", grant.attributes.isEmpty ? nil : .map(grant.attributes))
                $0.add("expires", Self.format(grant.expires))
                $0.add("member", member)
                $0.add("reason", grant.justification.reason.map(Value.string))
                $0.add("role", .string(grant.role.value))
                $0.add("team", team)
                $0.add("ticket", grant.justification.ticket.map(Value.string))
            }
            if let gone = passed(grant.expires, now) {
                expired[grantID] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location, via: nil)
            } else if !expiredMembers.isEmpty, case let .member(email) = grant.subject.value, let by = expiredMembers[email] {
                expired[grantID] = by
            } else {
                note(grant.expires, grantID, now)
                grants.append(Entry(id: grantID, attributes: a, location: grant.location))
            }
        }
        entries += Self.sortedByKey(grants)
    }

    private mutating func put(_ id: ResourceID, _ attributes: Attributes, _ location: SourceLocation) {
        entries.append(Entry(id: id, attributes: attributes, location: location))
    }

    private mutating func note(_ expiry: Expiry?, _ id: ResourceID, _ now: Date) {
        if let expiry, expiry.endsAt > now { upcoming.append((id, expiry)) }
    }

    private func passed(_ expiry: Expiry?, _ now: Date) -> Expiry? {
        guard let expiry, expiry.hasPassed(at: now) else { return nil }
        return expiry
    }

    /// An expiry as the state records it.
    private static func format(_ expiry: Expiry?) -> Value? {
        expiry.map { .string(Timestamp.format($0.endsAt)) }
    }
}
