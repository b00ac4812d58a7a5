import Foundation
import Testing
@testable import RolecallKit

/// Every diagnostic kind, with its exact place.
@Suite("Validation")
struct ValidationTests {
    private let head = "org: acme\nsettings:\n  catalog: logrocket\napps:\n  - name: production\n"

    @Test func validManifestBuildsASortedModel() throws {
        let result = validate(head + """
            members:
              - {email: Zed@Acme.com, role: member}
              - {email: ann@acme.com, role: admin, sso: true}
            teams:
              - name: support
                members: [zed@acme.com, ANN@acme.com]
                roles: [{role: viewer, app: production}]
            grants:
              - {member: ZED@acme.com, role: admin, app: production, expires: 2027-01-31, ticket: IAM-1}
            """)
        #expect(lines(result) == [])
        let org = try #require(result.manifest?.organizations.first)
        #expect(org.members.map(\.email) == ["ann@acme.com", "zed@acme.com"])
        #expect(org.members[1].writtenEmail == "Zed@Acme.com")
        #expect(org.teams[0].members.map(\.email.value) == ["ann@acme.com", "zed@acme.com"])
        #expect(org.grants.map(\.key.description) == [
            "member zed@acme.com as admin on app production", "team support as viewer on app production",
        ])
        #expect(org.grants[0].justification.ticket == "IAM-1")
        #expect(org.grants[0].expires?.endsAt == parseTimestamp("2027-02-01T00:00:00Z"))
    }

    @Test func anAddressListedTwiceInATeamPointsAtItsFirstListing() {
        let result = validate(head + """
            members:
              - {email: ann@acme.com, role: member}
              - {email: bob@acme.com, role: member}
            teams:
              - name: support
                members: [bob@acme.com, ann@acme.com, BOB@acme.com, ann@acme.com, bob@acme.com]
            """)
        #expect(codes(result) == [
            "11:43: RC3003 duplicate-team-member",
            "11:57: RC3003 duplicate-team-member",
            "11:71: RC3003 duplicate-team-member",
        ])
        let notes = result.diagnostics.flatMap { d in d.notes.map { "\($0.message) \($0.location.map { "\($0.line):\($0.column)" } ?? "")" } }
        #expect(notes == ["first listed here 11:15", "first listed here 11:29", "first listed here 11:15"])
    }

    @Test func unknownKeysGetASuggestion() {
        let result = validate(head + "membres: []\nmembers:\n  - {email: a@b.co, role: admin, rol: x}\n")
        #expect(lines(result) == [
            "6:1: error: unknown key 'membres' in a manifest document (did you mean 'members'?)",
            "8:34: error: unknown key 'rol' in member (did you mean 'role'?)",
        ])
    }

    @Test func missingRequiredKeys() {
        #expect(codes(validate("settings: {catalog: logrocket}\n")) == ["1:1: RC2002 missing-key"])
        #expect(codes(validate(head + "members:\n  - email: a@b.co\n  - role: admin\n")) == [
            "7:5: RC2002 missing-key",
            "8:5: RC2002 missing-key",
        ])
        #expect(codes(validate(head + "members:\n  - {email: a@b.co, role: }\n")) == [
            "7:21: RC2003 empty-value",
        ])
    }

    @Test func wrongTypes() {
        let result = validate(head + """
            settings2: x
            members:
              - email: [a@b.co]
                role: admin
                sso: yes
              - {email: c@d.co, role: admin, sso: "true"}
            teams: {name: x}
            """)
        #expect(codes(result) == [
            "6:1: RC2009 unknown-key",
            "8:12: RC2004 not-a-string",
            "10:10: RC2005 not-a-boolean",
            "11:39: RC2005 not-a-boolean",
            "12:8: RC2008 not-a-list",
        ])
        #expect(codes(validate("org: acme\nsettings: {seats: ten}\n")) == ["2:19: RC2006 not-a-number"])
        #expect(codes(validate("org: acme\nsettings: {seats: 0}\n")) == ["2:19: RC2105 invalid-seats"])
        #expect(codes(validate("- org: acme\n")) == ["1:1: RC2001 not-a-mapping"])
    }

    @Test func countryNoStaysAString() throws {
        let result = validate(head + "members:\n  - {email: a@b.co, role: admin, name: no}\n")
        #expect(lines(result) == [])
        #expect(result.manifest?.organizations.first?.members.first?.name == "no")
    }

    @Test func badEmailSlugDateAndTimeZone() {
        let result = validate("""
            org: Acme
            settings: {catalog: logrocket, timezone: Europe/Berlln}
            apps: [{name: Prod_1}]
            members:
              - {email: jane@acme, role: admin, expires: 2026-02-30}
            teams:
              - {name: "support team"}
            """)
        #expect(lines(result) == [
            "1:6: error: invalid org name 'Acme': it must start with a lower-case letter or digit",
            "2:42: error: unknown time zone 'Europe/Berlln' (did you mean 'Europe/Berlin'?)",
            "3:15: error: invalid app name 'Prod_1': it must start with a lower-case letter or digit",
            "5:13: error: invalid e-mail address 'jane@acme': the domain 'acme' has no '.'",
            "5:46: error: invalid expiry: '2026-02-30' is not a date: 2026-02 has no day 30",
            "7:12: error: invalid team name 'support team': only lower-case letters, digits and '-' are allowed",
        ])
    }

    @Test func duplicatesAcrossFilesPointAtBoth() {
        let a = head + """
            roles: [{name: flag-editor, scope: app, permissions: [sessions.view]}]
            members: [{email: jane@acme.com, role: admin}]
            teams: [{name: support}]
            grants: [{member: jane@acme.com, role: viewer, app: production}]
            """
        let b = """
            org: acme
            settings: {catalog: logrocket}
            apps: [{name: production}]
            roles: [{name: flag-editor, scope: app, permissions: [sessions.view]}]
            members: [{email: JANE@acme.com, role: member}]
            teams: [{name: support}]
            grants: [{member: jane@ACME.com, role: viewer, app: production}]
            """
        let result = validate([("a.yaml", a), ("b.yaml", b)])
        let rendered = result.diagnostics.map { d in
            "\(d.location?.description ?? ""): \(d.message) [\(d.notes.map { "\($0.message) \($0.location?.description ?? "")" }.joined())]"
        }
        #expect(rendered == [
            "b.yaml:2:11: settings for org 'acme' are declared twice [first declared here a.yaml:3:3]",
            "b.yaml:3:8: app 'production' is declared twice in org 'acme' [first declared here a.yaml:5:5]",
            "b.yaml:4:9: role 'flag-editor' is declared twice in org 'acme' [first declared here a.yaml:6:9]",
            "b.yaml:5:11: member 'jane@acme.com' is declared twice in org 'acme' [first declared here a.yaml:7:11]",
            "b.yaml:6:9: team 'support' is declared twice in org 'acme' [first declared here a.yaml:8:9]",
            "b.yaml:7:10: grant of member jane@acme.com as viewer on app production is declared twice in org 'acme' [first declared here a.yaml:9:10]",
        ])
    }

    @Test func duplicatesAreFoundInSortedListsToo() {
        // Lists in order take a fast path; a key given twice, or two spellings of one Unicode name,
        // must still be caught.
        let sorted = validate("""
            org: acme
            settings: {catalog: logrocket}
            members:
              - {email: a@acme.com, role: owner}
              - {email: b@acme.com, role: member}
              - {email: b@acme.com, role: member}
            teams: [{name: "cafe\\u0301"}, {name: "caf\\u00e9"}]
            """)
        #expect(codes(sorted) == [
            "6:5: RC3001 duplicate-declaration",
            "7:16: RC2101 invalid-name",
            "7:31: RC3001 duplicate-declaration",
            "7:38: RC2101 invalid-name",
        ])
    }

    @Test func referencesToUndeclaredThings() {
        let result = validate(head + """
            members: [{email: jane@acme.com, role: admin}]
            teams:
              - name: support
                members: [jane@acme.com, jnae@acme.com]
                roles: [{role: viewer, app: staging}]
            grants:
              - {member: bob@acme.com, role: admin, app: production}
              - {team: suport, role: viewer, app: production}
              - {member: jane@acme.com, role: editor, app: production}
            """)
        #expect(codes(result) == [
            "9:30: RC3102 unknown-member",
            "10:33: RC3104 unknown-app",
            "12:14: RC3102 unknown-member",
            "13:12: RC3103 unknown-team",
            "14:35: RC3101 unknown-role",
        ])
        #expect(suggestions(result) == ["jane@acme.com", "support"])
        #expect(result.diagnostics.last?.notes == [
            DiagnosticNote("app roles of catalog 'logrocket' and custom roles: admin, member, viewer"),
        ])
    }

    @Test func rolesAtTheWrongScope() {
        let result = validate(head + """
            members: [{email: jane@acme.com, role: viewer}, {email: bob@acme.com, role: member}]
            grants:
              - {member: bob@acme.com, role: owner, app: production}
              - {member: bob@acme.com, role: viewer}
            """)
        #expect(codes(result) == [
            "6:40: RC3105 role-scope-mismatch",
            "8:34: RC3105 role-scope-mismatch",
            "9:34: RC3105 role-scope-mismatch",
        ])
    }

    @Test func customRolesExtendTheCatalog() {
        let result = validate("""
            org: acme
            settings: {catalog: logrocket}
            apps: [{name: web}]
            roles:
              - {name: auditor, scope: org, permissions: [members.invite]}
              - {name: flag-editor, scope: app, permissions: [sessions.view, filters.create]}
              - {name: admin, scope: org, permissions: [billing.manage]}
            members: [{email: a@b.co, role: auditor}]
            grants:
              - {member: a@b.co, role: flag-editor, app: web, attributes: {projectKey: [web, api, web]}}
              - {member: a@b.co, role: member, app: web, attributes: {projectKey: [web]}}
            """)
        #expect(codes(result) == [
            "7:5: RC3204 builtin-role-redeclared",
            "11:28: RC3106 builtin-role-attributes",
        ])
    }

    @Test func seatLimitsFromPlanAndSeats() {
        let members = (1...4).map { "  - {email: u\($0)@acme.com, role: view_only}" }.joined(separator: "\n")
        let plan = validate("org: acme\nsettings: {catalog: rudderstack, plan: free}\nmembers:\n" + members + "\n")
        #expect(codes(plan) == [
            "7:5: RC3301 seats-exceeded",
        ])
        #expect(plan.diagnostics.first?.notes.first?.location?.line == 2)
        // An expired member holds no seat (the plan revokes them), and explicit seats override the plan.
        let expired = members.replacingOccurrences(of: "u1@acme.com, role: view_only", with: "u1@acme.com, role: view_only, expires: 2026-01-01")
        #expect(validate("org: acme\nsettings: {catalog: rudderstack, plan: free}\nmembers:\n" + expired + "\n").diagnostics.errorCount == 0)
        #expect(validate("org: acme\nsettings: {catalog: rudderstack, plan: free, seats: 4}\nmembers:\n" + members + "\n")
            .diagnostics.isEmpty)
        #expect(codes(validate("org: acme\nsettings: {catalog: rudderstack, seats: 2}\nmembers:\n" + members + "\n")) == [
            "6:5: RC3301 seats-exceeded",
        ])
    }

    @Test func plansAndCatalogsAreChecked() {
        #expect(codes(validate("org: acme\nsettings: {catalog: logrocket, plan: pro}\n")) == [
            "2:11: RC3202 no-seat-plans",
        ])
        #expect(codes(validate("org: acme\nsettings: {catalog: rudderstack, plan: fre}\n")) == [
            "2:11: RC3203 unknown-seat-plan",
        ])
        #expect(codes(validate("org: acme\nsettings: {catalog: logrokcet}\n")) == [
            "2:21: RC3201 unknown-catalog",
        ])
        #expect(suggestions(validate("org: acme\nsettings: {catalog: rudderstack, plan: fre}\n")) == ["free"])
        #expect(suggestions(validate("org: acme\nsettings: {catalog: logrokcet}\n")) == ["logrocket"])
    }

    @Test func grantSubjects() {
        let result = validate(head + """
            members: [{email: a@b.co, role: admin}]
            teams: [{name: t}]
            grants:
              - {member: a@b.co, team: t, role: viewer, app: production}
              - {role: viewer, app: production}
            """)
        #expect(codes(result) == [
            "9:5: RC2111 grant-subject-conflict",
            "10:5: RC2112 grant-without-subject",
        ])
    }

    @Test func pastExpiryIsAWarningNotAnError() throws {
        let result = validate("""
            org: acme
            settings: {catalog: logrocket, timezone: Europe/Berlin}
            apps: [{name: web}]
            members:
              - {email: a@b.co, role: admin}
              - {email: c@d.co, role: member, expires: 2026-11-22}
            teams: [{name: t, members: [{email: a@b.co, expires: "2026-11-23T11:00:00Z"}]}]
            grants: [{member: a@b.co, role: viewer, app: web, expires: 2026-11-23}]
            """)
        #expect(codes(result) == [
            "6:44: RC3410 expired",
            "7:54: RC3410 expired",
        ])
        #expect(result.manifest != nil)
    }

    @Test func dateOnlyExpiryUsesTheOrgsTimeZoneFromAnotherFile() throws {
        let people = "org: acme\nmembers: [{email: a@b.co, role: admin, expires: 2026-11-23}]\n"
        let settings = "org: acme\nsettings: {catalog: logrocket, timezone: Pacific/Kiritimati}\n"
        // Kiritimati is UTC+14: 2026-11-23 ended there at 10:00 UTC, before the fixed now (12:00 UTC).
        let result = validate([("people.yaml", people), ("settings.yaml", settings)])
        #expect(result.diagnostics.map(\.severity) == [.warning])
        let member = try #require(result.manifest?.organizations.first?.members.first)
        #expect(member.expires?.endsAt == parseTimestamp("2026-11-23T10:00:00Z"))
        #expect(validate([("people.yaml", people)]).diagnostics.warningCount == 0)
    }

    @Test func emptyAndCommentOnlyDocumentsAreSkipped() {
        #expect(codes(validate("---\n# nothing here\n---\norg: acme\n---\n")) == [])
    }

    @Test func orgWithoutSettingsUsesTheEmptyCustomCatalog() {
        #expect(codes(validate("org: acme\nmembers: [{email: a@b.co, role: admin}]\n")) == [
            "2:33: RC3101 unknown-role",
        ])
    }

    @Test func unknownPermissionsOfAKnownCatalogAreWarnings() throws {
        let vocabulary = RoleCatalog.rudderstack.permissionVocabulary
        try #require(!vocabulary.isEmpty)
        let result = validate("""
            org: acme
            settings: {catalog: rudderstack}
            roles: [{name: src, scope: org, permissions: [sources.veiw, sources.*, "*"]}]
            """)
        #expect(codes(result) == [
            "3:9: RC3205 unknown-permission",
        ])
    }

    @Test func everyOrgIsItsOwnNamespace() throws {
        let result = validate([
            ("a.yaml", "org: beta\nsettings: {catalog: logfire}\nmembers: [{email: a@b.co, role: guest}]\n"),
            ("b.yaml", "org: alpha\nsettings: {catalog: launchdarkly}\nmembers: [{email: a@b.co, role: reader}, {email: o@b.co, role: owner}]\n"),
        ])
        #expect(lines(result) == [])
        #expect(result.manifest?.organizations.map(\.name) == ["alpha", "beta"])
    }

    @Test func launchDarklyHasExactlyOneOwner() {
        #expect(codes(validate("org: f\nsettings: {catalog: launchdarkly}\nmembers: [{email: a@f.io, role: admin}]\n")) == [
            "2:11: RC3302 missing-owner",
        ])
        let two = validate("org: f\nsettings: {catalog: launchdarkly}\nmembers:\n  - {email: a@f.io, role: owner}\n  - {email: b@f.io, role: owner}\n")
        #expect(codes(two) == ["5:27: RC3304 multiple-owners"])
        #expect(two.diagnostics.first?.notes.first?.location?.line == 4)
    }

    @Test func invitationTTLIsADuration() {
        #expect(codes(validate("org: f\nsettings: {invitation_ttl: 7d}\n")) == [])
        #expect(codes(validate("org: f\nsettings: {invitation_ttl: soon}\n")) == [
            "2:28: RC2107 invalid-invitation-ttl",
        ])
    }
}

/// The names offered as `(did you mean '…'?)`, in order.
private func suggestions(_ result: LoadResult) -> [String] {
    result.diagnostics.compactMap { $0.message.firstMatch(of: /did you mean '([^']+)'\?/).map { String($0.1) } }
}
