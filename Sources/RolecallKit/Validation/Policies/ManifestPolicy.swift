import Foundation

/// A policy guardrail checked on an org's manifests (`settings.policy`), one type per rule, as the
/// plan's rules are (`PlanPolicy`). A rule runs only when the org's policy sets it; every problem it
/// reports is an error at the offending declaration, with the rule's code (RC35xx).
protocol ManifestPolicy: Sendable {
    /// The setting that turns the rule on; also the rule's name in results.
    var setting: String { get }
    /// The diagnostic code of what the rule reports.
    var code: DiagnosticCode { get }
    /// Where the policy sets the rule; nil when it does not (the rule does not run).
    func location(in policy: Policy) -> SourceLocation?
    func check(_ org: Organization, _ policy: Policy, _ clock: PolicyClock) -> [Diagnostic]
}

extension ManifestPolicy {
    /// An error of this rule, with a note pointing at the setting.
    func violation(_ message: String, at location: SourceLocation?, _ policy: Policy) -> Diagnostic {
        .error(code, message, at: location, notes: [DiagnosticNote("required by policy '\(setting)'", at: self.location(in: policy))])
    }
}

/// Runs the manifest rules over the orgs that set a policy.
enum ManifestPolicies {
    static let rules: [any ManifestPolicy] = [
        ExternalExpiryRule(), MaxGrantDaysRule(), RequiredFieldRule(field: .ticket), RequiredFieldRule(field: .reason),
    ]

    /// One result per rule the org's policy sets (none without a policy), with its diagnostics.
    static func check(_ org: Organization, now: Date) -> [(result: PolicyResult, diagnostics: [Diagnostic])] {
        guard let policy = org.settings.policy else { return [] }
        let clock = PolicyClock(now: now, zone: Scalars.timeZone(org.settings.timezone))
        return rules.compactMap { rule in
            guard let location = rule.location(in: policy) else { return nil }
            let diagnostics = rule.check(org, policy, clock)
            return (PolicyResult(org: org.name, rule: rule.setting, stage: .manifest, location: location, diagnostics: diagnostics),
                    diagnostics)
        }
    }

    /// `protected_roles` naming a role the org does not have (built in or custom, at any scope).
    static func unknownProtectedRoles(_ org: Organization) -> [Diagnostic] {
        guard let policy = org.settings.policy, !policy.protectedRoles.isEmpty else { return [] }
        let roles = RoleIndex(org: org)
        let names = Array(Set(roles.names(in: .org) + roles.names(in: .app))).sorted()
        return policy.protectedRoles.filter { !roles.exists($0.value, in: .org) && !roles.exists($0.value, in: .app) }.map {
            .error(.unknownProtectedRole, "unknown role '\($0.value)' in 'protected_roles' of org '\(org.name)'" + Suggest.hint(for: $0.value, among: names),
                   at: $0.location, notes: [DiagnosticNote("roles of org '\(org.name)': " + names.joined(separator: ", "))])
        }
    }

    /// The results alone, for the plan document.
    static func results(_ manifest: Manifest, now: Date) -> [PolicyResult] {
        manifest.organizations.flatMap { check($0, now: now).map(\.result) }
    }
}

/// "Within N days" in an org: an expiry whose last day is at most N days after today in the org's
/// time zone (a date-only `expires:` on that day passes; a timestamp passes up to that day's end).
struct PolicyClock {
    let now: Date
    let zone: TimeZone

    /// Today in the org's time zone.
    var today: CalendarDay {
        let local = now.timeIntervalSince1970 + TimeInterval(zone.secondsFromGMT(for: now))
        return CalendarDay(daysSinceEpoch: Int((local / 86_400).rounded(.down)))
    }

    /// The last day an expiry may name to be within `days`.
    func lastDay(within days: Int) -> CalendarDay { CalendarDay(daysSinceEpoch: today.daysSinceEpoch + days) }

    /// Whether an expiry ends access within `days`.
    func isWithin(_ expiry: Expiry, days: Int) -> Bool {
        expiry.endsAt <= lastDay(within: days).next().start(in: zone)
    }

    /// What to write: "add `expires:` no later than 2027-02-21" (or "set ..." when one is there).
    func fix(_ verb: String, within days: Int) -> String {
        "\(verb) `expires:` no later than \(lastDay(within: days)) (\(days) days from today, \(today))"
    }
}
