import Foundation

/// A catalog's "exactly one holder" rule (LaunchDarkly's owner), counted on effective access: the
/// role counts however a person holds it (base role, direct grant, team role), and a base role that a
/// directly assigned role replaces does not count. Bindings whose expiry has passed do not count.
struct OwnerRule {
    let now: Date
    let sink: DiagnosticSink

    /// One person holding the role, and the first place (in file order) that makes them hold it.
    private struct Holder {
        var email: String
        var location: SourceLocation
        /// "" for a base role, else " through ..." for the message.
        var via: String
    }

    func check(_ org: Organization) {
        let rules = org.settings.catalog.accessRules
        guard let role = rules.singleHolderRole else { return }
        // Addresses only, and the members read in place: a copy of every member (a filtered list, a
        // dictionary of them) cost an org of 100k members and nothing else 130 MB and 0.28 s of a
        // 0.49 s `validate`.
        var members = Set<String>(minimumCapacity: org.members.count)
        for i in org.members.indices where live(org.members[i].expires) { members.insert(org.members[i].email) }
        let grants = org.grants.filter { live($0.expires) }
        var direct: [String: [Grant]] = [:]
        for grant in grants {
            if case let .member(email) = grant.subject.value, members.contains(email) { direct[email, default: []].append(grant) }
        }
        var holders: [String: Holder] = [:]
        func hold(_ email: String, at location: SourceLocation, via: String) {
            if let known = holders[email], known.location <= location { return }
            holders[email] = Holder(email: email, location: location, via: via)
        }
        // Base owners, unless a directly assigned role (org-wide or on a project) replaces the base role.
        var replaced: [(member: Member, by: Grant)] = []
        for i in org.members.indices where org.members[i].role.value == role && members.contains(org.members[i].email) {
            let member = org.members[i]
            if rules.directRoleReplacesBase, let grant = direct[member.email]?.min(by: { $0.location < $1.location }) {
                replaced.append((member, grant))
            } else {
                hold(member.email, at: member.role.location, via: "")
            }
        }
        // The role granted org-wide, directly or to a team (team roles add to whatever else counts).
        let teams = Dictionary(org.teams.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for grant in grants where grant.app == nil && grant.role.value == role {
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
        report(org, role, holders.values.sorted { ($0.location, $0.email) < ($1.location, $1.email) }, replaced)
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
