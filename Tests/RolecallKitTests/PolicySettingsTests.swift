import Foundation
import Testing
@testable import RolecallKit

/// `settings.policy`: decoding, with every field's place and every wrong shape reported where it is.
@Suite("Policy settings")
struct PolicySettingsTests {
    private func policy(_ body: String, catalog: String = "logrocket") -> (LoadResult, Policy?) {
        let text = "org: acme\nsettings:\n  catalog: \(catalog)\n  policy:\n" + body
            + "members:\n  - {email: jane@acme.com, role: owner, expires: 2026-12-01, ticket: T-1, reason: Founder}\n"
        let result = validate(text)
        return (result, result.manifest?.organizations.first?.settings.policy)
    }

    @Test func everyFieldIsDecodedWithItsPlace() throws {
        let (result, decoded) = policy("""
                internal_domains: [Acme.COM, eu.acme.com]
                external_max_days: 90
                max_grant_days: 0
                require_ticket: [grants, external_members]
                require_reason: [team_roles, members, team_members]
                protected_roles: [owner, admin]

            """)
        #expect(lines(result) == [])
        let p = try #require(decoded)
        #expect(p.internalDomains.map(\.value) == ["acme.com", "eu.acme.com"])
        #expect(p.internalDomains[0].location == SourceLocation(file: "m.yaml", line: 5, column: 24))
        #expect(p.externalMaxDays?.value == 90)
        #expect(p.externalMaxDays?.location == SourceLocation(file: "m.yaml", line: 6, column: 24))
        #expect(p.maxGrantDays?.value == 0)
        #expect(p.requireTicket.map(\.value) == [.grants, .externalMembers])
        #expect(p.requireReason.map(\.value) == [.teamRoles, .members, .teamMembers])
        #expect(p.requireReason[1].location == SourceLocation(file: "m.yaml", line: 9, column: 34))
        #expect(p.protectedRoles.map(\.value) == ["owner", "admin"])
        #expect(p.location == SourceLocation(file: "m.yaml", line: 5, column: 5))
    }

    @Test func unknownKeysAndKindsGetADidYouMean() {
        let (result, _) = policy("""
                internal_domain: [acme.com]
                require_ticket: [grant, externals, team_role]

            """)
        #expect(lines(result) == [
            "5:5: error: unknown key 'internal_domain' in policy (did you mean 'internal_domains'?)",
            "6:22: error: unknown kind 'grant' in 'require_ticket' (did you mean 'grants'?)",
            "6:29: error: unknown kind 'externals' in 'require_ticket'",
            "6:40: error: unknown kind 'team_role' in 'require_ticket' (did you mean 'team_roles'?)",
        ])
    }

    @Test func wrongShapesAndNegativeDaysAreErrorsWhereWritten() {
        let (result, _) = policy("""
                internal_domains: acme.com
                external_max_days: -1
                max_grant_days: ninety
                require_reason: {grants: true}
                protected_roles: [[owner]]

            """)
        #expect(lines(result) == [
            "5:23: error: 'internal_domains' must be a list, found a scalar",
            "6:24: error: 'external_max_days' must be 0 or more days, found -1",
            "7:21: error: 'max_grant_days' must be a whole number, found 'ninety'",
            "8:21: error: 'require_reason' must be a list, found a mapping",
            "9:23: error: 'role' must be a string, found a list",
        ])
        #expect(policy("  - acme.com\n").0.diagnostics.map(\.message) == ["policy must be a mapping, found a list"])
    }

    @Test func domainsThatAreNotDomainsAreRefused() {
        let (result, _) = policy("""
                internal_domains: [acme, "@acme.io", "*.acme.io", jane@acme.com, "bad_label.io", "", acme.com]

            """)
        let messages = result.diagnostics.map(\.message)
        #expect(messages.count == 6)
        #expect(messages[0] == "invalid domain 'acme' in 'internal_domains': the domain 'acme' has no '.'")
        #expect(messages[1].contains("write it as 'acme.io'"))
        #expect(messages[2].contains("write it as 'acme.io'"))
        #expect(messages[3].contains("without a name and '@'"))
        #expect(messages[4].contains("'_' is not allowed"))
        #expect(messages[5].contains("it is empty"))
        #expect(result.diagnostics.allSatisfy { $0.location?.line == 5 })
    }

    @Test func externalRulesWithoutInternalDomainsAreAnError() {
        let (result, _) = policy("    external_max_days: 30\n")
        #expect(lines(result) == ["5:5: error: policy names rules for external members but no 'internal_domains'; "
            + "without them nobody is external"])
    }

    @Test func protectedRolesMustBeRolesOfTheOrg() {
        let (result, _) = policy("    protected_roles: [ownr, admin, viewer]\n")
        #expect(result.diagnostics.map(\.code) == [.unknownProtectedRole])
        #expect(lines(result) == ["5:23: error: unknown role 'ownr' in 'protected_roles' of org 'acme' (did you mean 'owner'?)"])
    }

    @Test func subdomainsAreInternalAndLookalikesAreNot() {
        var p = Policy(location: SourceLocation(file: "f", line: 1, column: 1))
        #expect(!p.isExternal("x@anywhere.io"), "without internal domains nobody is external")
        p.internalDomains = [Located("acme.com", at: p.location)]
        #expect(!p.isExternal("jane@acme.com"))
        #expect(!p.isExternal("jane@eu.acme.com"))
        #expect(p.isExternal("jane@acme.com.evil.io"))
        #expect(p.isExternal("jane@notacme.com"))
        #expect(p.isExternal("jane@agency.io"))
    }

    @Test func todayAndDaysAheadFollowTheOrgsTimeZone() throws {
        let late = try #require(parseTimestamp("2026-11-23T23:30:00Z"))
        let berlin = PolicyClock(now: late, zone: Scalars.timeZone("Europe/Berlin"))
        #expect(berlin.today.description == "2026-11-24")
        #expect(PolicyClock(now: late, zone: Scalars.timeZone("UTC")).today.description == "2026-11-23")
        #expect(berlin.lastDay(within: 90).description == "2027-02-22")
        // Days since the epoch and back, across leap days and centuries.
        for day in [CalendarDay(year: 1970, month: 1, day: 1), CalendarDay(year: 2000, month: 2, day: 29),
                    CalendarDay(year: 2100, month: 3, day: 1), CalendarDay(year: 1969, month: 12, day: 31)] {
            #expect(CalendarDay(daysSinceEpoch: day.daysSinceEpoch) == day)
        }
    }
}
