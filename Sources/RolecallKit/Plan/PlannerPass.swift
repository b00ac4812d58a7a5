import Foundation

extension Planner {
    /// What diffing some of the desired resources found.
    struct Pass {
        var changes: [Change] = []
        /// Members whose invitation is still pending, per org (for notices); complete after `finish`.
        private(set) var pending: [String: Pending] = [:]
        /// Desired resources found in the state.
        var matched = 0
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
            let ttl = Self.invitationTTL(of: id.org, in: desired)
            let cutoff = Timestamp.format(options.now.addingTimeInterval(-ttl))
            org = (id.org, Pending(), ttl, Timestamp.isCanonical(cutoff) ? cutoff : nil)
        }

        /// How long an invitation of `org` may stay pending, from its desired settings.
        private static func invitationTTL(of org: String, in desired: DesiredState) -> TimeInterval {
            let settings = desired.entry(ResourceID(org: org, kind: .settings, key: ""))?.attributes
            guard case let .int(seconds)? = settings?["invitation_ttl"] else { return Settings.defaultInvitationTTL }
            return TimeInterval(seconds)
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
        mutating func remove(_ id: ResourceID, _ before: Attributes, desired: DesiredState) {
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
}
