import Foundation

/// `external_max_days: N`: a member whose address is outside `internal_domains` (subdomains count as
/// inside) must have an `expires:` within N days of today.
struct ExternalExpiryRule: ManifestPolicy {
    let setting = "external_max_days"
    let code = DiagnosticCode.policyExternalMaxDays

    func location(in policy: Policy) -> SourceLocation? { policy.externalMaxDays?.location }

    func check(_ org: Organization, _ policy: Policy, _ clock: PolicyClock) -> [Diagnostic] {
        guard let days = policy.externalMaxDays?.value else { return [] }
        var found: [Diagnostic] = []
        for member in org.members where policy.isExternal(member.email) {
            if let expiry = member.expires {
                guard !clock.isWithin(expiry, days: days) else { continue }
                found.append(violation("external member '\(member.email)' expires on \(expiry.written), more than \(days) days from today; "
                                       + clock.fix("set", within: days), at: expiry.location, policy))
            } else {
                found.append(violation("external member '\(member.email)' has no expiry; " + clock.fix("add", within: days),
                                       at: member.location, policy))
            }
        }
        return found
    }
}
