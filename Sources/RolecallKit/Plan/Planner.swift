import Crypto
import Foundation

/// Diffs desired state against current state into an ordered plan, each change with its reason.
/// Pure: no I/O, no clock. Guardrails are not its business: `Policies` judge the plan it returns.
public enum Planner {
    /// Above this many pending invitations in one org, the plan shows one summary notice.
    static let pendingInvitationsListed = 20

    public static func diff(desired: DesiredState, current: State, options: PlanOptions) -> Plan {
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
                    pass.remove(id, before, desired: desired)
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
            // Access revoked at its expiry counts before the plan: it is held until the plan revokes it.
            let held = Set(changes.lazy.filter { $0.action == .delete && $0.reason.isExpiry }.map(\.id))
            plan.accessChanges = EffectiveAccess.changes(from: current.resources, to: after.resources, now: options.now,
                                                         only: affectedPeople(changes, current: current, after: after), held: held)
        }
        return plan
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
                        pass.remove(recorded[r].key, recorded[r].value, desired: desired)
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
                    pass.remove(recorded[r].key, recorded[r].value, desired: desired)
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
    private static func compare(_ entry: borrowing DesiredState.Entry, _ recorded: Attributes?, desired: DesiredState, current: State,
                                options: PlanOptions, into pass: inout Pass) {
        let id = entry.id
        let wanted = entry.attributes
        guard let before = recorded else {
            var after = wanted
            if id.kind == .member {
                let sso = after["sso"] == .bool(true)
                after["status"] = .string(sso ? "active" : "invited")
                if !sso { after["invited_at"] = .string(Timestamp.format(options.now)) }
            } else if id.kind == .apiKey {
                after["created_at"] = .string(Timestamp.format(options.now))
            }
            pass.changes.append(Change(action: .create, id: id, before: nil, after: after, reason: .added,
                                       location: entry.location))
            return
        }
        pass.matched += 1
        let invited = id.kind == .member && before["status"] == .string("invited")
        if invited { pass.addPending(id, desired: desired, options: options) }
        if id.kind == .apiKey, let rotation = rotation(entry, before, now: options.now) {
            pass.changes.append(rotation)
        } else if !wanted.sameValues(as: before, ignoring: State.stateOnlyAttributes) {
            var after = wanted
            for key in State.stateOnlyAttributes { after[key] = before[key] }
            pass.changes.append(Change(action: .update, id: id, before: before, after: after, reason: .changed,
                                       location: entry.location))
        } else if invited, case let .string(sent)? = before["invited_at"],
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
            case .apiKey: break
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
        notices += reviewNotices(desired.reviews, options: options)
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
        return SHA256.hash(data: Data(text.utf8)).hexString
    }
}
