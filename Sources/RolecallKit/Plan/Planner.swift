import Crypto
import Foundation

/// A limit on how many members one plan may remove from an org: a count or a share of its members.
public enum RemovalLimit: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// `5` or `10%`.
    public init?(_ text: String) {
        if text.hasSuffix("%"), let p = Int(text.dropLast()), (0...100).contains(p) {
            self = .percent(p)
        } else if let n = Int(text), n >= 0 {
            self = .count(n)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case let .count(n): return String(n)
        case let .percent(p): return "\(p)%"
        }
    }

    /// How many removals are allowed out of `members`.
    func allowed(of members: Int) -> Int {
        switch self {
        case let .count(n): return n
        case let .percent(p): return members * p / 100
        }
    }
}

public struct PlanOptions: Sendable {
    public var now: Date
    /// Keep only revocations whose reason is an expiry: what the scheduled job runs.
    public var onlyExpired = false
    /// Notice grants and memberships that expire within this many seconds.
    public var warnWithin: TimeInterval = 14 * 86_400
    /// Overrides every org's `max_removals`.
    public var maxRemovals: RemovalLimit?
    /// Acknowledges up to this many member removals per org over the limit.
    public var allowRemovals: Int?
    /// Compute the SHA-256 digest of the desired state (needed for saved plans and JSON output; on a
    /// 100k-member org it is a fifth of a no-op plan's time, so text plans skip it).
    public var digest = true

    public init(now: Date) {
        self.now = now
    }
}

/// Diffs desired state against current state into an ordered plan. Pure: no I/O, no clock.
public enum Planner {
    /// Above this many pending invitations in one org, the plan shows one summary notice.
    static let pendingInvitationsListed = 20

    public static func plan(desired: DesiredState, current: State, options: PlanOptions) -> (Plan, [Diagnostic]) {
        let entries = desired.entries
        var pass: Pass
        if let recorded = current.resources.sortedElements, desired.idsAreASCII {
            // Both sides are lists in id order: walked side by side, in parts taken by the cores as they
            // come free (on a 100k-member org, a no-op plan is mostly this; members cost more than the
            // rest, so halves would leave one core waiting). Each part of the desired resources goes
            // with the state's resources in the same range of ids; the parts are merged in order.
            let parts = 8
            let bounds = (0...parts).map { entries.count * $0 / parts }
            let splits = bounds.indices.map { i in
                i == 0 ? 0 : i == parts || bounds[i] == entries.count ? recorded.count
                    : ResourceTable.position(of: entries[bounds[i]].id, in: recorded)
            }
            let passes = parallelMap(parts, width: ProcessInfo.processInfo.activeProcessorCount) { p in
                walk(bounds[p]..<bounds[p + 1], splits[p]..<splits[p + 1], recorded, desired: desired, current: current,
                     options: options)
            }
            pass = passes[0]
            for other in passes.dropFirst() { pass.merge(other) }
        } else {
            // Diffed in two halves side by side, merged in a fixed order.
            let middle = entries.count / 2
            let (first, second) = concurrently({ diff(0..<middle, desired: desired, current: current, options: options) },
                                               { diff(middle..<entries.count, desired: desired, current: current, options: options) })
            pass = first
            pass.merge(second)
            // Each desired resource found in the state is one state resource accounted for; when all are,
            // nothing needs removing and the state is not walked a second time.
            if pass.matched < current.resources.count {
                let wanted = Set(entries.lazy.map(\.id))
                for (id, before) in current.resources where !wanted.contains(id) {
                    pass.remove(id, before, desired: desired, current: current)
                }
            }
        }
        pass.finish()
        var changes = pass.changes
        let pending = pass.pending
        if options.onlyExpired { changes.removeAll { !$0.reason.isExpiry } }
        changes.sort(by: executionOrder)

        var plan = Plan(changes: changes, notices: notices(desired: desired, pending: pending, options: options),
                        evaluatedAt: options.now, nextExpiry: desired.nextExpiry, lineage: current.lineage,
                        serial: current.serial, manifestDigest: options.digest ? digest(desired) : "",
                        onlyExpired: options.onlyExpired)
        if !changes.isEmpty {
            var after = current
            for change in changes { after.apply(change) }
            plan.accessChanges = EffectiveAccess.changes(from: current.resources, to: after.resources, now: options.now,
                                                         only: affectedPeople(changes, current: current, after: after))
        }
        return (plan, safety(plan, census: pass.census.flushed(), desired: desired, options: options))
    }

    /// What diffing some of the desired resources found.
    private struct Pass {
        var changes: [Change] = []
        /// Members whose invitation is still pending, per org (for notices); complete after `finish`.
        private(set) var pending: [String: Pending] = [:]
        /// Desired resources found in the state.
        var matched = 0
        var census = MemberCensus()
        /// The org whose pending invitations are being gathered (members come org by org), and
        /// the instant, as the state writes it, at or before which an invitation of that org is stale.
        private var org: (name: String, pending: Pending, ttl: TimeInterval, staleUntil: String?)?

        mutating func merge(_ other: Pass) {
            finish()
            var other = other
            other.finish()
            changes += other.changes
            pending.merge(other.pending) { $0.merged($1) }
            matched += other.matched
            census.merge(other.census)
        }

        /// Adds what was gathered for the current org to the tables.
        mutating func finish() {
            guard let org else { return }
            pending[org.name] = pending[org.name].map { $0.merged(org.pending) } ?? org.pending
            self.org = nil
        }

        /// Sets up gathering for the org of `id` unless that is the current one.
        private mutating func enter(_ id: ResourceID, desired: DesiredState, options: PlanOptions) {
            if let org, compareBytes(org.name, id.org) == 0 { return }
            finish()
            let ttl = desired.invitationTTL[id.org] ?? Settings.defaultInvitationTTL
            let cutoff = Timestamp.format(options.now.addingTimeInterval(-ttl))
            org = (id.org, Pending(), ttl, Timestamp.isCanonical(cutoff) ? cutoff : nil)
        }

        mutating func addPending(_ id: ResourceID, desired: DesiredState, options: PlanOptions) {
            enter(id, desired: desired, options: options)
            org?.pending.add(id)
        }

        /// Whether an invitation sent at `sent` is older than the org's invitation_ttl. Timestamps as
        /// rolecall writes them are compared as text, which orders them in time (parsing one per
        /// pending member was a sixth of a no-op plan's walk); any other spelling is parsed.
        mutating func isStale(_ sent: String, _ id: ResourceID, desired: DesiredState, options: PlanOptions) -> Bool {
            enter(id, desired: desired, options: options)
            guard let org else { return false }
            if let cutoff = org.staleUntil, Timestamp.isCanonical(sent) { return compareBytes(sent, cutoff) <= 0 }
            guard let sentAt = Timestamp.parse(sent) else { return false }
            return sentAt.addingTimeInterval(org.ttl) <= options.now
        }

        /// A recorded resource the manifests no longer want (or whose expiry has passed).
        mutating func remove(_ id: ResourceID, _ before: Attributes, desired: DesiredState, current: State) {
            if id.kind == .member { census.count(id, before, desired: desired, current: current) }
            if let by = desired.expired[id] {
                changes.append(Change(action: .delete, id: id, before: before, after: nil,
                                      reason: .expired(on: by.written, via: by.via.map(\.description)), location: by.location))
            } else {
                let pending = id.kind == .member && before["status"] == .string("invited")
                changes.append(Change(action: .delete, id: id, before: before, after: nil,
                                      reason: pending ? .invitationCancelled : .removedFromManifests, location: nil))
            }
        }
    }

    /// An org's pending invitations: how many, and only what the notices show of them (a first
    /// import has one per member: 85k ids on a 100k-member org, kept for three addresses).
    struct Pending: Sendable {
        var count = 0
        /// The first ones seen: all of them while there are few enough to list.
        var listed: [ResourceID] = []
        /// The three smallest addresses, for the summary when there are many.
        var smallest: [String] = []

        mutating func add(_ id: ResourceID) {
            count += 1
            if listed.count <= Planner.pendingInvitationsListed { listed.append(id) }
            Planner.keep(id.key, amongSmallest: 3, in: &smallest)
        }

        func merged(_ other: Pending) -> Pending {
            Pending(count: count + other.count, listed: Array((listed + other.listed).prefix(Planner.pendingInvitationsListed + 1)),
                    smallest: Planner.smallest(3, of: smallest + other.smallest))
        }
    }

    /// The state's members per org, and who holds each org's top role (for the safety rules).
    private struct MemberCensus {
        /// Complete only once `flush` has run (`merge` and `flushed` see to it).
        private(set) var members: [String: Int] = [:]
        private(set) var top: [String: String] = [:]
        private(set) var holders: [String: Set<String>] = [:]
        /// The org being counted, its top role, and its members counted so far: members come org by
        /// org, and looking the org up in three tables for each of them was a tenth of a no-op plan's walk.
        private var run: (org: String, top: String, count: Int)?

        mutating func count(_ id: ResourceID, _ attributes: Attributes, desired: DesiredState, current: State) {
            if let run, compareBytes(run.org, id.org) == 0 {
            } else {
                flush()
                let role = top[id.org] ?? desired.topRoles[id.org] ?? Planner.topRole(of: id.org, in: current) ?? ""
                top[id.org] = role
                run = (id.org, role, 0)
            }
            run?.count += 1
            if let role = run?.top, !role.isEmpty, attributes["role"] == .string(role) { holders[id.org, default: []].insert(id.key) }
        }

        /// Adds the members of the org being counted to `members`.
        mutating func flush() {
            guard let run else { return }
            members[run.org, default: 0] += run.count
            self.run = nil
        }

        func flushed() -> MemberCensus {
            var census = self
            census.flush()
            return census
        }

        mutating func merge(_ other: MemberCensus) {
            flush()
            let other = other.flushed()
            members.merge(other.members, uniquingKeysWith: +)
            top.merge(other.top) { mine, _ in mine }
            holders.merge(other.holders) { $0.union($1) }
        }
    }

    /// Diffs the desired resources at `positions` with the recorded resources at `range`, which hold
    /// the same range of ids; both in id order (ASCII ids, where equal bytes are equal ids), walked
    /// side by side. Both lists are read in place.
    private static func walk(_ positions: Range<Int>, _ range: Range<Int>, _ recorded: [ResourceTable.Element],
                             desired: DesiredState, current: State, options: PlanOptions) -> Pass {
        var pass = Pass()
        desired.entries.withUnsafeBufferPointer { entries in
            recorded.withUnsafeBufferPointer { recorded in
                var r = range.lowerBound
                for position in positions {
                    var order = -1
                    while r < range.upperBound {
                        order = ResourceID.byteCompare(recorded[r].key, entries[position].id)
                        guard order < 0 else { break }
                        pass.remove(recorded[r].key, recorded[r].value, desired: desired, current: current)
                        r += 1
                    }
                    if order == 0 {
                        compare(entries[position], recorded[r].value, desired: desired, current: current, options: options,
                                into: &pass)
                        r += 1
                    } else {
                        compare(entries[position], nil, desired: desired, current: current, options: options, into: &pass)
                    }
                }
                while r < range.upperBound {
                    pass.remove(recorded[r].key, recorded[r].value, desired: desired, current: current)
                    r += 1
                }
            }
        }
        return pass
    }

    /// Diffs the desired resources at `positions`, looking each up in the state.
    private static func diff(_ positions: Range<Int>, desired: DesiredState, current: State, options: PlanOptions) -> Pass {
        var pass = Pass()
        let recorded = current.resources
        for position in positions {
            let entry = desired.entries[position]
            compare(entry, recorded[entry.id], desired: desired, current: current, options: options, into: &pass)
        }
        return pass
    }

    /// Diffs one desired resource with what the state records for it (nil: nothing).
    @inline(__always)
    private static func compare(_ entry: DesiredState.Entry, _ recorded: Attributes?, desired: DesiredState, current: State,
                                options: PlanOptions, into pass: inout Pass) {
        let id = entry.id
        let wanted = entry.attributes
        guard let before = recorded else {
            var after = wanted
            if id.kind == .member {
                let sso = after["sso"] == .bool(true)
                after["status"] = .string(sso ? "active" : "invited")
                if !sso { after["invited_at"] = .string(Timestamp.format(options.now)) }
            }
            pass.changes.append(Change(action: .create, id: id, before: nil, after: after, reason: .added,
                                       location: entry.location))
            return
        }
        pass.matched += 1
        if id.kind == .member {
            pass.census.count(id, before, desired: desired, current: current)
            if before["status"] == .string("invited") { pass.addPending(id, desired: desired, options: options) }
        }
        if !wanted.sameValues(as: before, ignoring: State.isStateOnly) {
            var after = wanted
            for key in State.stateOnlyAttributes { after[key] = before[key] }
            pass.changes.append(Change(action: .update, id: id, before: before, after: after, reason: .changed,
                                       location: entry.location))
        } else if id.kind == .member, before["status"] == .string("invited"), case let .string(sent)? = before["invited_at"],
                  pass.isStale(sent, id, desired: desired, options: options) {
            // Never re-sent while pending, but once it is older than invitation_ttl it is sent again.
            var after = before
            after["invited_at"] = .string(Timestamp.format(options.now))
            pass.changes.append(Change(action: .update, id: id, before: before, after: after,
                                       reason: .invitationResent(since: sent), location: entry.location))
        }
    }

    /// Whose access a set of changes can touch: org -> e-mails, or `*` when settings, apps or roles change.
    static func affectedPeople(_ changes: [Change], current: State, after: State) -> [String: Set<String>] {
        var affected: [String: Set<String>] = [:]
        var teams: [String: Set<String>] = [:]
        for change in changes {
            let a = change.after ?? change.before ?? [:]
            switch change.id.kind {
            case .settings, .app, .role: affected[change.id.org, default: []].insert("*")
            case .member: affected[change.id.org, default: []].insert(change.id.key)
            case .team: teams[change.id.org, default: []].insert(change.id.key)
            case .teamMembership, .grant:
                if case let .string(m)? = a["member"] { affected[change.id.org, default: []].insert(m) }
                if case let .string(t)? = a["team"], change.id.kind == .grant { teams[change.id.org, default: []].insert(t) }
            }
        }
        if !teams.isEmpty {
            // Everyone in a touched team, before or after.
            for state in [current, after] {
                for (id, a) in state.resources where id.kind == .teamMembership {
                    if case let .string(t)? = a["team"], teams[id.org]?.contains(t) == true, case let .string(m)? = a["member"] {
                        affected[id.org, default: []].insert(m)
                    }
                }
            }
        }
        return affected
    }

    /// Per org: removals first, children before parents; then additions and updates, parents first.
    static func executionOrder(_ a: Change, _ b: Change) -> Bool {
        if a.id.org != b.id.org { return byteOrder(a.id.org, b.id.org) }
        let aDown = a.action == .delete
        let bDown = b.action == .delete
        if aDown != bDown { return aDown }
        if a.id.kind != b.id.kind { return aDown ? a.id.kind > b.id.kind : a.id.kind < b.id.kind }
        return byteOrder(a.id.key, b.id.key)
    }

    private static func notices(desired: DesiredState, pending: [String: Pending], options: PlanOptions) -> [Notice] {
        var notices: [Notice] = []
        let horizon = options.now.addingTimeInterval(options.warnWithin)
        for (id, expiry) in desired.upcoming where expiry.endsAt <= horizon {
            let left = Timestamp.remaining(expiry.endsAt.timeIntervalSince(options.now))
            notices.append(Notice(kind: .expiresSoon, id: id,
                                  message: "\(id) expires on \(expiry.written) (in \(left))",
                                  location: expiry.location))
        }
        // Pending invitations: one notice each, or one per org when there are many (a first import).
        for (org, invitations) in pending {
            if invitations.count <= Self.pendingInvitationsListed {
                for id in invitations.listed {
                    notices.append(Notice(kind: .invitationPending, id: id, message: "invitation to \(id.key) is still pending",
                                          location: desired.location(of: id)))
                }
            } else {
                let first = invitations.smallest.joined(separator: ", ")
                notices.append(Notice(kind: .invitationPending, id: ResourceID(org: org, kind: .member, key: "*"),
                                      message: "\(invitations.count) invitations in org '\(org)' are still pending (\(first), …)",
                                      location: nil))
            }
        }
        return notices.sorted { $0.id != $1.id ? $0.id < $1.id : $0.kind.rawValue < $1.kind.rawValue }
    }

    /// The `n` smallest strings in byte order, sorted, without sorting them all.
    static func smallest(_ n: Int, of strings: some Sequence<String>) -> [String] {
        var kept: [String] = []
        for s in strings { keep(s, amongSmallest: n, in: &kept) }
        return kept
    }

    /// Adds `s` to `kept` (the `n` smallest so far, sorted) when it is one of them.
    static func keep(_ s: String, amongSmallest n: Int, in kept: inout [String]) {
        guard kept.count < n || byteOrder(s, kept[kept.count - 1]) else { return }
        let at = kept.firstIndex { byteOrder(s, $0) } ?? kept.endIndex
        kept.insert(s, at: at)
        if kept.count > n { kept.removeLast() }
    }

    /// The mass-removal guard and the last-owner rule.
    private static func safety(_ plan: Plan, census: MemberCensus, desired: DesiredState, options: PlanOptions) -> [Diagnostic] {
        let (members, top, holders) = (census.members, census.top, census.holders)
        // What the plan does to them.
        var removed: [String: Int] = [:]
        var remaining = holders
        for change in plan.changes where change.id.kind == .member {
            if change.action == .delete, !change.reason.isExpiry { removed[change.id.org, default: 0] += 1 }
            guard let role = top[change.id.org], !role.isEmpty else { continue }
            if change.action == .delete || change.after?["role"] != .string(role) {
                remaining[change.id.org]?.remove(change.id.key)
            } else {
                remaining[change.id.org, default: []].insert(change.id.key)
            }
        }
        var problems: [Diagnostic] = []
        for org in members.keys.sorted(by: byteOrder) {
            let count = members[org] ?? 0
            let gone = removed[org] ?? 0
            if let limit = options.maxRemovals ?? desired.maxRemovals[org], gone > limit.allowed(of: count),
               gone > (options.allowRemovals ?? -1) {
                let share = count > 0 ? " (\(gone * 100 / count)% of \(count))" : ""
                problems.append(.error(
                    "plan removes \(plural(gone, "member")) from org '\(org)'\(share), more than max_removals \(limit) allows",
                    at: nil,
                    notes: [DiagnosticNote("if this is intended, re-run with --allow-removals \(gone)")]))
            }
            if let role = top[org], let had = holders[org], !had.isEmpty, remaining[org]?.isEmpty ?? true {
                problems.append(.error(
                    "plan removes the last \(role) of org '\(org)' (\(had.sorted().joined(separator: ", "))); an org must keep one",
                    at: nil, notes: [DiagnosticNote("declare another member with role '\(role)' first")]))
            }
        }
        return problems
    }

    /// The owner-like role of an org from its recorded settings (when the manifests no longer name it).
    static func topRole(of org: String, in state: State) -> String? {
        guard case let .string(name)? = state.resources[ResourceID(org: org, kind: .settings, key: "")]?["catalog"],
              let id = CatalogID(rawValue: name), id != .custom else { return nil }
        return RoleCatalog.builtin(id).orgRoles.first?.name
    }

    /// SHA-256 over the desired resources in a canonical order: one line per resource, attributes
    /// sorted by name, strings JSON-quoted (so no two different states print alike).
    static func digest(_ desired: DesiredState) -> String {
        var text = ""
        text.reserveCapacity(desired.entries.count * 96)
        for entry in desired.entries {
            let id = entry.id
            JSONValue.quote(id.org, into: &text)
            text += " \(id.kind.rawValue) "
            JSONValue.quote(id.key, into: &text)
            let attributes = entry.attributes
            for key in attributes.keys.sorted() {
                text += " \(key)="
                switch attributes[key] {
                case let .string(s)?: JSONValue.quote(s, into: &text)
                case let other?: text += other.description
                case nil: break
                }
            }
            text += "\n"
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
