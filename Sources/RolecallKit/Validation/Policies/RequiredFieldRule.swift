import Foundation

/// `require_ticket: [kinds]` / `require_reason: [kinds]`: every declaration of a listed kind carries
/// that field (`ticket:` or `reason:`).
struct RequiredFieldRule: ManifestPolicy {
    enum Field: String, Sendable {
        case ticket
        case reason
    }

    let field: Field

    var setting: String { "require_\(field.rawValue)" }
    var code: DiagnosticCode { field == .ticket ? .policyRequireTicket : .policyRequireReason }

    private func kinds(_ policy: Policy) -> [Located<JustifiedKind>] {
        field == .ticket ? policy.requireTicket : policy.requireReason
    }

    func location(in policy: Policy) -> SourceLocation? { kinds(policy).first?.location }

    private func has(_ justification: Justification) -> Bool {
        let value = field == .ticket ? justification.ticket : justification.reason
        return !(value ?? "").isEmpty
    }

    func check(_ org: Organization, _ policy: Policy, _ clock: PolicyClock) -> [Diagnostic] {
        let kinds = Set(kinds(policy).map(\.value))
        let fix = "add `\(field.rawValue):`"
        var found: [Diagnostic] = []
        for member in org.members where !has(member.justification) {
            let external = policy.isExternal(member.email)
            guard kinds.contains(.members) || (external && kinds.contains(.externalMembers)) else { continue }
            found.append(violation("\(external ? "external " : "")member '\(member.email)' has no \(field.rawValue); \(fix)",
                                   at: member.location, policy))
        }
        if kinds.contains(.teamMembers) {
            for team in org.teams {
                for m in team.members where !has(m.justification) {
                    found.append(violation("membership of '\(m.email.value)' in team '\(team.name)' has no \(field.rawValue); "
                                           + "write it as {email: \(m.email.value), \(field.rawValue): ...}", at: m.email.location, policy))
                }
            }
        }
        for grant in org.grants where !has(grant.justification) && kinds.contains(grant.origin == .teamRoles ? .teamRoles : .grants) {
            found.append(violation("\(grant.describedForPolicy) has no \(field.rawValue); \(fix)", at: grant.location, policy))
        }
        return found
    }
}
