import Foundation
import Testing
@testable import RolecallKit

/// The manifest policy rules (Validation/Policies/), one by one, at 2026-11-23T12:00:00Z (UTC org):
/// 90 days on is 2027-02-21, 180 days 2027-05-22.
@Suite("Manifest policy rules")
struct ManifestPolicyTests {
    private func org(_ policy: String, _ rest: String) -> LoadResult {
        validate("org: acme\nsettings:\n  catalog: logrocket\n  policy: {internal_domains: [acme.com], \(policy)}\n"
                 + "apps: [{name: production}]\n" + rest)
    }

    private let owner = "  - {email: jane@acme.com, role: owner, sso: true}\n"

    /// (line, code) of every diagnostic.
    private func found(_ result: LoadResult) -> [String] {
        result.diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.code.name)" }
    }

    @Test func externalsNeedAnExpiryWithinTheLimit() {
        let result = org("external_max_days: 90", "members:\n" + owner + """
              - {email: a@agency.io, role: member}
              - {email: b@agency.io, role: member, expires: 2027-02-21}
              - {email: c@agency.io, role: member, expires: 2027-02-22}
              - {email: d@agency.io, role: member, expires: "2027-02-21T23:59:59Z"}
              - {email: e@agency.io, role: member, expires: "2027-02-22T00:00:01Z"}
              - {email: f@eu.acme.com, role: member}

            """)
        #expect(found(result) == ["8:5 policy-external-max-days", "10:49 policy-external-max-days", "12:49 policy-external-max-days"])
        let first = result.diagnostics[0]
        #expect(first.message.contains("add `expires:` no later than 2027-02-21"))
        #expect(first.notes.first?.location == SourceLocation(file: "m.yaml", line: 4, column: 61))
        #expect(result.diagnostics[1].message.contains("set `expires:` no later than 2027-02-21"))
    }

    @Test func theLimitCountsDaysInTheOrgsTimeZone() {
        // At 23:30 UTC it is already the 24th in Berlin: the last day allowed moves with it.
        let text = "org: acme\nsettings:\n  timezone: Europe/Berlin\n  policy: {internal_domains: [acme.com], external_max_days: 1}\n"
            + "members:\n  - {email: a@agency.io, role: r, expires: 2026-11-25}\nroles: [{name: r, scope: org, permissions: [x]}]\n"
        #expect(validate(text, now: parseTimestamp("2026-11-23T12:00:00Z")!).diagnostics.count == 1)
        #expect(validate(text, now: parseTimestamp("2026-11-23T23:30:00Z")!).diagnostics.isEmpty)
    }

    @Test func everyGrantAndTeamRoleNeedsAnExpiryWithinMaxGrantDays() {
        let result = org("max_grant_days: 180", "members:\n" + owner + """
            teams:
              - name: support
                roles:
                  - {role: viewer, app: production}
                  - {role: member, app: production, expires: 2027-05-22}
            grants:
              - {member: jane@acme.com, role: admin, app: production, expires: 2027-05-23}
              - {team: support, role: admin, app: production, expires: 2027-05-22}

            """)
        #expect(found(result) == ["11:9 policy-max-grant-days", "14:68 policy-max-grant-days"])
        #expect(result.diagnostics[0].message.hasPrefix("role 'viewer' of team 'support' on app 'production' has no expiry; "
                                                        + "add `expires:` no later than 2027-05-22"))
        #expect(result.diagnostics[1].message.hasPrefix("grant of role 'admin' to 'jane@acme.com' on app 'production' expires on 2027-05-23"))
    }

    @Test func requiredTicketsFollowTheListedKinds() {
        let rest = "members:\n" + owner + """
              - {email: a@agency.io, role: member, expires: 2026-12-01}
              - {email: b@acme.com, role: member}
            teams:
              - name: support
                members: [b@acme.com, {email: jane@acme.com, ticket: T-2}]
                roles: [{role: viewer, app: production}]
            grants:
              - {member: b@acme.com, role: admin, app: production}
              - {member: a@agency.io, role: member, app: production, ticket: T-3}

            """
        // Lines: 7 jane, 8 a@agency.io, 9 b@acme.com, 12 team members, 13 team role, 15 and 16 grants.
        #expect(found(org("require_ticket: [grants]", rest)) == ["15:5 policy-require-ticket"])
        #expect(found(org("require_ticket: [team_roles]", rest)) == ["13:13 policy-require-ticket"])
        #expect(found(org("require_ticket: [external_members]", rest)) == ["8:5 policy-require-ticket"])
        #expect(found(org("require_ticket: [members]", rest)) == ["7:5 policy-require-ticket", "8:5 policy-require-ticket",
                                                                  "9:5 policy-require-ticket"])
        #expect(found(org("require_ticket: [team_members]", rest)) == ["12:15 policy-require-ticket"])
        let reasons = org("require_reason: [grants, external_members]", rest)
        #expect(found(reasons) == ["8:5 policy-require-reason", "15:5 policy-require-reason", "16:5 policy-require-reason"])
        #expect(reasons.diagnostics[1].message.hasSuffix("has no reason; add `reason:`"))
    }

    @Test func aPolicyReportsEveryRuleItSetsAsAResult() throws {
        let result = org("external_max_days: 90, require_ticket: [grants]", "members:\n" + owner
                         + "  - {email: a@agency.io, role: member}\n")
        #expect(result.manifest == nil)
        let passing = try #require(validate("org: acme\nsettings:\n  catalog: logrocket\n"
            + "  policy: {internal_domains: [acme.com], external_max_days: 90, require_ticket: [grants]}\nmembers:\n" + owner).manifest)
        let results = ManifestPolicies.results(passing, now: fixedNow)
        #expect(results.map(\.rule) == ["external_max_days", "require_ticket"])
        #expect(results.allSatisfy { $0.status == .pass && $0.stage == .manifest && $0.findings.isEmpty })
        #expect(results[0].location == SourceLocation(file: "m.yaml", line: 4, column: 61))
    }
}
