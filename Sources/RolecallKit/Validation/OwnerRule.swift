import Foundation

/// A catalog's "exactly one holder" rule (LaunchDarkly's owner), counted on effective access: the
/// role counts however a person holds it (base role, direct grant, team role), and a base role that a
/// directly assigned role replaces does not count. Bindings whose expiry has passed do not count.
struct OwnerRule {
    let now: Date
    let sink: DiagnosticSink

    /// One person holding the role, and the first place (in file order) that makes them hold it.
    struct Holder: Equatable {
        var email: String
        var location: SourceLocation
        /// "" for a base role, else " through ..." for the message.
        var via: String
    }

    func check(_ org: Organization) {
        guard let role = org.settings.catalog.accessRules.singleHolderRole else { return }
        let (holders, replaced) = holders(of: role, in: org)
        report(org, role, holders, replaced)
    }

    /// Who holds `role` (in order of the place that makes them hold it), and the base holders whose
    /// base role a directly assigned role replaces.
    func holders(of role: String, in org: Organization) -> (holders: [Holder], replaced: [(member: Member, by: Grant)]) {
        let rules = org.settings.catalog.accessRules
        var holders: [String: Holder] = [:]
        func hold(_ email: String, at location: SourceLocation, via: String) {
            if let known = holders[email], known.location <= location { return }
            holders[email] = Holder(email: email, location: location, via: via)
        }
        // Only what can make someone hold the role is looked at, read in place: the members whose base
        // role it is, the grants made directly to them, and the role's org-wide grants (in a valid org,
        // one member and a grant or two). Gathering every live member's address and every member's
        // direct grants first was 47 ms of one core in a no-op plan of a 100k-member org (`perf`).
        let baseHolders = org.members.indices.filter { org.members[$0].role.value == role && live(org.members[$0].expires) }
        let replacing = rules.directRoleReplacesBase ? firstDirectGrants(to: Set(baseHolders.map { org.members[$0].email }), in: org) : [:]
        // Base holders, unless a directly assigned role (org-wide or on a project) replaces the base role.
        var replaced: [(member: Member, by: Grant)] = []
        for i in baseHolders {
            if let grant = replacing[org.members[i].email] {
                replaced.append((org.members[i], grant))
            } else {
                hold(org.members[i].email, at: org.members[i].role.location, via: "")
            }
        }
        // The role granted org-wide, directly or to a team (team roles add to whatever else counts),
        // to live members only.
        let granted = org.grants.indices.filter { org.grants[$0].app == nil && org.grants[$0].role.value == role && live(org.grants[$0].expires) }
        if !granted.isEmpty {
            var members = Set<String>(minimumCapacity: org.members.count)
            for i in org.members.indices where live(org.members[i].expires) { members.insert(org.members[i].email) }
            let teams = Dictionary(org.teams.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for i in granted {
                let grant = org.grants[i]
                switch grant.subject.value {
                case let .member(email) where members.contains(email):
                    hold(email, at: grant.role.location, via: " through a grant")
                case let .team(name):
                    for membership in teams[name]?.members ?? [] where live(membership.expires) && members.contains(membership.email.value) {
                        hold(membership.email.value, at: grant.role.location, via: " through team '\(name)'")
                    }
                default: break
                }
            }
        }
        return (holders.values.sorted { ($0.location, $0.email) < ($1.location, $1.email) }, replaced)
    }

    /// For each of `emails`, its first live direct grant (by place in the files), whatever its role and scope.
    private func firstDirectGrants(to emails: Set<String>, in org: Organization) -> [String: Grant] {
        var first: [String: Grant] = [:]
        guard !emails.isEmpty else { return first }
        for i in org.grants.indices where live(org.grants[i].expires) {
            guard case let .member(email) = org.grants[i].subject.value, emails.contains(email) else { continue }
            if let known = first[email], known.location <= org.grants[i].location { continue }
            first[email] = org.grants[i]
        }
        return first
    }

    private func live(_ expiry: Expiry?) -> Bool { !(expiry?.hasPassed(at: now) ?? false) }

    private func report(_ org: Organization, _ role: String, _ holders: [Holder], _ replaced: [(member: Member, by: Grant)]) {
        let catalog = org.settings.catalog.rawValue
        guard let first = holders.first else {
            guard !replaced.isEmpty else {
                sink.error(.missingOwner, "org '\(org.name)' has no \(role); catalog '\(catalog)' needs exactly one", at: org.settings.location ?? org.location)
                return
            }
            for (member, grant) in replaced.sorted(by: { $0.by.location < $1.by.location }) {
                let scope = grant.app.map { " on app '\($0.value)'" } ?? ""
                sink.error(.ownerReplaced, "org '\(org.name)' has no \(role): role '\(grant.role.value)' assigned directly to '\(member.email)'\(scope) "
                           + "replaces their base role \(role); catalog '\(catalog)' needs exactly one",
                           at: grant.role.location,
                           notes: [DiagnosticNote("base role \(role) declared here", at: member.role.location)])
            }
            return
        }
        for extra in holders.dropFirst() {
            sink.error(.multipleOwners, "org '\(org.name)' has more than one \(role) ('\(extra.email)'\(extra.via)); catalog '\(catalog)' allows exactly one",
                       at: extra.location,
                       notes: [DiagnosticNote("first \(role) declared here", at: first.location)])
        }
    }
}
