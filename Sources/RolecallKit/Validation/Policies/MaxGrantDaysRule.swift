import Foundation

/// `max_grant_days: N`: every grant and team role must have an `expires:` within N days of today.
struct MaxGrantDaysRule: ManifestPolicy {
    let setting = "max_grant_days"
    let code = DiagnosticCode.policyMaxGrantDays

    func location(in policy: Policy) -> SourceLocation? { policy.maxGrantDays?.location }

    func check(_ org: Organization, _ policy: Policy, _ clock: PolicyClock) -> [Diagnostic] {
        guard let days = policy.maxGrantDays?.value else { return [] }
        var found: [Diagnostic] = []
        for grant in org.grants {
            if let expiry = grant.expires {
                guard !clock.isWithin(expiry, days: days) else { continue }
                found.append(violation("\(grant.describedForPolicy) expires on \(expiry.written), more than \(days) days from today; "
                                       + clock.fix("set", within: days), at: expiry.location, policy))
            } else {
                found.append(violation("\(grant.describedForPolicy) has no expiry; " + clock.fix("add", within: days),
                                       at: grant.location, policy))
            }
        }
        return found
    }
}

extension Grant {
    /// "grant of member x as admin on app production" or "role 'viewer' of team 'support' on the org".
    var describedForPolicy: String {
        let scope = app.map { "app '\($0.value)'" } ?? "the org"
        switch (origin, subject.value) {
        case let (.teamRoles, .team(name)): return "role '\(role.value)' of team '\(name)' on \(scope)"
        case let (_, .team(name)): return "grant of role '\(role.value)' to team '\(name)' on \(scope)"
        case let (_, .member(email)): return "grant of role '\(role.value)' to '\(email)' on \(scope)"
        }
    }
}
