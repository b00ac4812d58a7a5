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
    /// Reviews of what is still wanted (`reviewed:` and `review_every:`), for the plan's notices.
    public var reviews: [ReviewItem] = []

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
        // Each org's resources are built in four parts at once (settings, apps, roles and the first
        // half of the members; the other half; teams and their memberships; grants), each straight
        // into its own stretch of `entries`, sized for the most it can hold. The stretches are then
        // closed up.
        let plans = manifest.organizations.map(OrgParts.init)
        let capacity = plans.reduce(0) { $0 + $1.capacity }
        var outcomes: [[PartOutcome]] = []
        var ordered = true
        entries = [Entry](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            let shared = EntryBuffer(base: base)
            var offset = 0
            for (org, plan) in zip(manifest.organizations, plans) {
                let expiredMembers = Self.expiredMembers(org, now: now)
                let starts = plan.sizes.indices.map { offset + plan.sizes[..<$0].reduce(0, +) }
                let parts = parallelMap(plan.sizes.count, width: ProcessInfo.processInfo.activeProcessorCount) { part in
                    var builder = PartBuilder(org: org, now: now, expiredMembers: expiredMembers,
                                              region: shared.base + starts[part], capacity: plan.sizes[part])
                    switch part {
                    case 0:
                        builder.addSettingsAppsAndRoles()
                        builder.addMembers(0..<plan.half)
                    case 1: builder.addMembers(plan.half..<org.members.count)
                    case 2: builder.addTeams()
                    default:
                        builder.addGrants()
                        builder.addAPIKeys()
                    }
                    return builder.finish()
                }
                // Close the gaps each part left at the end of its stretch.
                for (part, outcome) in parts.enumerated() {
                    if count != starts[part] { (base + count).moveInitialize(from: base + starts[part], count: outcome.count) }
                    if ordered, count > 0, outcome.count > 0, ResourceID.byteCompare(base[count - 1].id, base[count].id) >= 0 { ordered = false }
                    count += outcome.count
                }
                offset += plan.capacity
                outcomes.append(parts)
            }
        }
        for parts in outcomes {
            for part in parts {
                expired.merge(part.expired) { _, last in last }
                upcoming += part.upcoming
                ordered = ordered && part.strictlyAscending
                idsAreASCII = idsAreASCII && part.idsAreASCII
            }
        }
        reviews = manifest.organizations.flatMap { Reviews.items(of: $0, now: now) }
        if !ordered {
            // Only a manifest that fails validation gets here (an id declared twice); the result is
            // not used then, but is still well formed.
            Self.sortAndDeduplicate(&entries)
            idsAreASCII = entries.withUnsafeBufferPointer { all in all.indices.allSatisfy { all[$0].id.isASCII } }
        }
    }

    /// The resources a saved plan leads to (the state with the plan's changes), as the policies judge
    /// them when the plan is applied: there are no manifests then, and this is what will be recorded.
    init(resulting resources: ResourceTable) {
        let nowhere = SourceLocation(file: "", line: 0, column: 0)
        entries = resources.map { Entry(id: $0.key, attributes: $0.value, location: nowhere) }.sorted { $0.id < $1.id }
        idsAreASCII = entries.allSatisfy { $0.id.isASCII }
    }

    /// Sorts entries by id and keeps each id once (the last one added wins, as a table's would).
    private static func sortAndDeduplicate(_ entries: inout [Entry]) {
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

    /// The members of `org` whose expiry has passed: their memberships and grants go with them.
    private static func expiredMembers(_ org: Organization, now: Date) -> [String: ExpiredBy] {
        var expired: [String: ExpiredBy] = [:]
        org.members.withUnsafeBufferPointer { members in
            for i in members.indices {
                guard let gone = members[i].expires, gone.hasPassed(at: now) else { continue }
                expired[members[i].email] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location,
                                                      via: ResourceID(org: org.name, kind: .member, key: members[i].email))
            }
        }
        return expired
    }

    /// How many resources each part of an org can add at most.
    private struct OrgParts {
        var sizes: [Int]
        /// Where the members are split.
        var half: Int
        var capacity: Int { sizes.reduce(0, +) }

        init(_ org: Organization) {
            half = org.members.count / 2
            sizes = [1 + org.apps.count + org.roles.count + half, org.members.count - half,
                     org.teams.reduce(0) { $0 + 1 + $1.members.count }, org.grants.count + org.apiKeys.count]
        }
    }

    /// The start of the entries being built; each part writes only its own stretch.
    private struct EntryBuffer: @unchecked Sendable {
        let base: UnsafeMutablePointer<Entry>
    }

    /// What one part added: `count` entries at the start of its stretch, sorted.
    struct PartOutcome: Sendable {
        var count = 0
        var expired: [ResourceID: ExpiredBy] = [:]
        var upcoming: [(id: ResourceID, expiry: Expiry)] = []
        /// Whether each id is greater than the one before (false: an id twice, in an invalid manifest).
        var strictlyAscending = true
        var idsAreASCII = true
    }

    /// Builds one part of an org's resources into its stretch of the entries.
    struct PartBuilder {
        let org: Organization
        let now: Date
        let expiredMembers: [String: ExpiredBy]
        let region: UnsafeMutablePointer<Entry>
        let capacity: Int
        var outcome = PartOutcome()

        init(org: Organization, now: Date, expiredMembers: [String: ExpiredBy], region: UnsafeMutablePointer<Entry>, capacity: Int) {
            self.org = org
            self.now = now
            self.expiredMembers = expiredMembers
            self.region = region
            self.capacity = capacity
        }

        func id(_ kind: ResourceKind, _ key: String) -> ResourceID { ResourceID(org: org.name, kind: kind, key: key) }

        mutating func put(_ id: ResourceID, _ attributes: Attributes, _ location: SourceLocation) {
            precondition(outcome.count < capacity, "more resources than counted")
            (region + outcome.count).initialize(to: Entry(id: id, attributes: attributes, location: location))
            outcome.count += 1
        }

        mutating func note(_ expiry: Expiry?, _ id: ResourceID) {
            if let expiry, expiry.endsAt > now { outcome.upcoming.append((id, expiry)) }
        }

        func passed(_ expiry: Expiry?) -> Expiry? {
            guard let expiry, expiry.hasPassed(at: now) else { return nil }
            return expiry
        }

        mutating func expire(_ id: ResourceID, _ gone: Expiry) {
            outcome.expired[id] = ExpiredBy(written: gone.written, endsAt: gone.endsAt, location: gone.location, via: nil)
        }

        /// Sorts the stretch when it is not in order, and notes whether its ids are ascending and ASCII.
        mutating func finish() -> PartOutcome {
            var added = UnsafeMutableBufferPointer(start: region, count: outcome.count)
            if !Self.isStrictlyAscending(UnsafeBufferPointer(added)) {
                // Kinds arrive in key order, except where a key is written in another order than it
                // sorts in (a grant's `team:a-b:…` before `team:a:…`; a membership's `a-b/…`).
                added.sort { $0.id < $1.id }
                outcome.strictlyAscending = Self.isStrictlyAscending(UnsafeBufferPointer(added))
            }
            outcome.idsAreASCII = added.indices.allSatisfy { added[$0].id.isASCII }
            return outcome
        }

        private static func isStrictlyAscending(_ all: UnsafeBufferPointer<Entry>) -> Bool {
            all.indices.dropFirst().allSatisfy { ResourceID.byteCompare(all[$0 - 1].id, all[$0].id) < 0 }
        }

        // Attributes are added in name order (see `Attributes.init(_:)`).

        mutating func addSettingsAppsAndRoles() {
            let ttl = org.settings.invitationTTL
            let settings = Attributes {
                $0.add("catalog", .string(org.settings.catalog.rawValue))
                $0.add("invitation_ttl", ttl != Settings.defaultInvitationTTL ? .int(Int(ttl)) : nil)
                $0.add("max_removals", org.settings.maxRemovals.map { .string($0.description) })
                $0.add("plan", org.settings.plan.map(Value.string))
                // Kept in the state, so that an org gone from the manifests still protects its roles.
                let protected = (org.settings.policy?.protectedRoles ?? []).map(\.value).sorted()
                $0.add("protected_roles", protected.isEmpty ? nil : .strings(protected))
                $0.add("seats", org.settings.seats.map(Value.int))
                $0.add("timezone", .string(org.settings.timezone))
            }
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
        }

        mutating func addMembers(_ range: Range<Int>) {
            org.members.withUnsafeBufferPointer { members in
                for i in range {
                    let memberID = id(.member, members[i].email)
                    if let gone = passed(members[i].expires) {
                        expire(memberID, gone)
                        continue
                    }
                    // The key is the lower-case address; the spelling in manifests is not state (case never causes a change).
                    let a = Attributes {
                        $0.add("expires", DesiredState.format(members[i].expires))
                        $0.add("name", members[i].name.map(Value.string))
                        $0.add("reason", members[i].justification.reason.map(Value.string))
                        $0.add("role", .string(members[i].role.value))
                        $0.add("sso", .bool(members[i].sso))
                        $0.add("ticket", members[i].justification.ticket.map(Value.string))
                    }
                    note(members[i].expires, memberID)
                    put(memberID, a, members[i].location)
                }
            }
        }

        /// Teams, then all memberships (each kind together).
        mutating func addTeams() {
            for team in org.teams {
                put(id(.team, team.name), Attributes { $0.add("description", team.description.map(Value.string)) }, team.location)
            }
            for team in org.teams {
                team.members.withUnsafeBufferPointer { members in
                    for i in members.indices {
                        let email = members[i].email
                        let membershipID = id(.teamMembership, "\(team.name)/\(email.value)")
                        if let gone = passed(members[i].expires) {
                            expire(membershipID, gone)
                        } else if !expiredMembers.isEmpty, let by = expiredMembers[email.value] {
                            outcome.expired[membershipID] = by
                        } else {
                            let attributes = Attributes {
                                $0.add("expires", DesiredState.format(members[i].expires))
                                $0.add("member", .string(email.value))
                                $0.add("reason", members[i].justification.reason.map(Value.string))
                                $0.add("team", .string(team.name))
                                $0.add("ticket", members[i].justification.ticket.map(Value.string))
                            }
                            note(members[i].expires, membershipID)
                            put(membershipID, attributes, email.location)
                        }
                    }
                }
            }
        }

        mutating func addGrants() {
            org.grants.withUnsafeBufferPointer { grants in
                for i in grants.indices {
                    let grantID = id(.grant, grants[i].key.stateKey)
                    if let gone = passed(grants[i].expires) {
                        expire(grantID, gone)
                        continue
                    }
                    if !expiredMembers.isEmpty, case let .member(email) = grants[i].subject.value, let by = expiredMembers[email] {
                        outcome.expired[grantID] = by
                        continue
                    }
                    var member: Value?
                    var team: Value?
                    switch grants[i].subject.value {
                    case let .member(email): member = .string(email)
                    case let .team(name): team = .string(name)
                    }
                    let a = Attributes {
                        $0.add("app", grants[i].app.map { .string($0.value) })
                        $0.add("attributes", grants[i].attributes.isEmpty ? nil : .map(grants[i].attributes))
                        $0.add("expires", DesiredState.format(grants[i].expires))
                        $0.add("member", member)
                        $0.add("reason", grants[i].justification.reason.map(Value.string))
                        $0.add("role", .string(grants[i].role.value))
                        $0.add("team", team)
                        $0.add("ticket", grants[i].justification.ticket.map(Value.string))
                    }
                    note(grants[i].expires, grantID)
                    put(grantID, a, grants[i].location)
                }
            }
        }
    }

    /// The earliest expiry strictly after `now`: the instant a plan made now goes stale.
    public var nextExpiry: Date? { upcoming.map(\.expiry.endsAt).min() }

    /// An expiry as the state records it.
    static func format(_ expiry: Expiry?) -> Value? {
        expiry.map { .string(Timestamp.format($0.endsAt)) }
    }
}
