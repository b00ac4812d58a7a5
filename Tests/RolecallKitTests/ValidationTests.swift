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
        #expect(lines(result) == [
            "11:43: error: 'bob@acme.com' is listed twice in team 'support'",
            "11:57: error: 'ann@acme.com' is listed twice in team 'support'",
            "11:71: error: 'bob@acme.com' is listed twice in team 'support'",
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
        #expect(lines(validate("settings: {catalog: logrocket}\n")) == ["1:1: error: a manifest document is missing required key 'org'"])
        #expect(lines(validate(head + "members:\n  - email: a@b.co\n  - role: admin\n")) == [
            "7:5: error: member is missing required key 'role'",
            "8:5: error: member is missing required key 'email'",
        ])
        #expect(lines(validate(head + "members:\n  - {email: a@b.co, role: }\n")) == [
            "7:21: error: 'role' in member has no value",
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
        #expect(lines(result) == [
            "6:1: error: unknown key 'settings2' in a manifest document (did you mean 'settings'?)",
            "8:12: error: 'email' must be a string, found a list",
            "10:10: error: 'sso' must be true or false, found 'yes'",
            "11:39: error: 'sso' must be true or false, found 'true'",
            "12:8: error: 'teams' must be a list, found a mapping",
        ])
        #expect(lines(validate("org: acme\nsettings: {seats: ten}\n")) == ["2:19: error: 'seats' must be a whole number, found 'ten'"])
        #expect(lines(validate("org: acme\nsettings: {seats: 0}\n")) == ["2:19: error: 'seats' must be at least 1, found 0"])
        #expect(lines(validate("- org: acme\n")) == ["1:1: error: a manifest document must be a mapping, found a list"])
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
        #expect(lines(sorted) == [
            "6:5: error: member 'b@acme.com' is declared twice in org 'acme'",
            "7:16: error: invalid team name 'café': only lower-case letters, digits and '-' are allowed",
            "7:31: error: team 'café' is declared twice in org 'acme'",
            "7:38: error: invalid team name 'café': only lower-case letters, digits and '-' are allowed",
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
        #expect(lines(result) == [
            "9:30: error: team 'support' lists 'jnae@acme.com', who is not a member of org 'acme' (did you mean 'jane@acme.com'?)",
            "10:33: error: unknown app 'staging' in org 'acme'",
            "12:14: error: grant names 'bob@acme.com', who is not a member of org 'acme'",
            "13:12: error: grant names team 'suport', which is not declared in org 'acme' (did you mean 'support'?)",
            "14:35: error: unknown role 'editor' in org 'acme'",
        ])
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
        #expect(lines(result) == [
            "6:40: error: role 'viewer' is an app role and cannot be a member's org role; grant it on an app with 'app:'",
            "8:34: error: role 'owner' is an org role and cannot be a grant on app 'production'; omit 'app:' to grant it org-wide",
            "9:34: error: role 'viewer' is an app role and cannot be an org-wide grant; grant it on an app with 'app:'",
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
        #expect(lines(result) == [
            "7:5: error: role 'admin' is already a built-in org role of catalog 'logrocket'",
            "11:28: error: role 'member' is built in and takes no attributes; attributes are for custom roles",
        ])
    }

    @Test func seatLimitsFromPlanAndSeats() {
        let members = (1...4).map { "  - {email: u\($0)@acme.com, role: view_only}" }.joined(separator: "\n")
        let plan = validate("org: acme\nsettings: {catalog: rudderstack, plan: free}\nmembers:\n" + members + "\n")
        #expect(lines(plan) == [
            "7:5: error: org 'acme' has 4 members but plan 'free' allows 3 seats; 'u4@acme.com' is member 4",
        ])
        #expect(plan.diagnostics.first?.notes.first?.location?.line == 2)
        // An expired member holds no seat (the plan revokes them), and explicit seats override the plan.
        let expired = members.replacingOccurrences(of: "u1@acme.com, role: view_only", with: "u1@acme.com, role: view_only, expires: 2026-01-01")
        #expect(validate("org: acme\nsettings: {catalog: rudderstack, plan: free}\nmembers:\n" + expired + "\n").diagnostics.errorCount == 0)
        #expect(validate("org: acme\nsettings: {catalog: rudderstack, plan: free, seats: 4}\nmembers:\n" + members + "\n")
            .diagnostics.isEmpty)
        #expect(lines(validate("org: acme\nsettings: {catalog: rudderstack, seats: 2}\nmembers:\n" + members + "\n")) == [
            "6:5: error: org 'acme' has 4 members but 'seats: 2' allows 2 seats; 'u3@acme.com' is member 3",
        ])
    }

    @Test func plansAndCatalogsAreChecked() {
        #expect(lines(validate("org: acme\nsettings: {catalog: logrocket, plan: pro}\n")) == [
            "2:11: error: catalog 'logrocket' has no seat plans; use 'seats: N' for a seat limit",
        ])
        #expect(lines(validate("org: acme\nsettings: {catalog: rudderstack, plan: fre}\n")) == [
            "2:11: error: unknown plan 'fre' for catalog 'rudderstack' (did you mean 'free'?)",
        ])
        #expect(lines(validate("org: acme\nsettings: {catalog: logrokcet}\n")) == [
            "2:21: error: unknown catalog 'logrokcet' (did you mean 'logrocket'?)",
        ])
    }

    @Test func grantSubjects() {
        let result = validate(head + """
            members: [{email: a@b.co, role: admin}]
            teams: [{name: t}]
            grants:
              - {member: a@b.co, team: t, role: viewer, app: production}
              - {role: viewer, app: production}
            """)
        #expect(lines(result) == [
            "9:5: error: grant names both 'member' and 'team'; a grant is for exactly one of them",
            "10:5: error: grant is missing 'member' or 'team'",
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
        #expect(lines(result) == [
            "6:44: warning: membership of c@d.co in org 'acme' expired on 2026-11-22 (Europe/Berlin); the plan will revoke it",
            "7:54: warning: membership of a@b.co in team 't' expired on 2026-11-23T11:00:00Z; the plan will revoke it",
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
        #expect(lines(validate("---\n# nothing here\n---\norg: acme\n---\n")) == [])
    }

    @Test func orgWithoutSettingsUsesTheEmptyCustomCatalog() {
        #expect(lines(validate("org: acme\nmembers: [{email: a@b.co, role: admin}]\n")) == [
            "2:33: error: unknown role 'admin' in org 'acme'",
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
        #expect(lines(result) == [
            "3:9: warning: permission 'sources.veiw' of role 'src' is not one the RudderStack catalog knows (did you mean 'sources.view'?)",
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
        #expect(lines(validate("org: f\nsettings: {catalog: launchdarkly}\nmembers: [{email: a@f.io, role: admin}]\n")) == [
            "2:11: error: org 'f' has no owner; catalog 'launchdarkly' needs exactly one",
        ])
        let two = validate("org: f\nsettings: {catalog: launchdarkly}\nmembers:\n  - {email: a@f.io, role: owner}\n  - {email: b@f.io, role: owner}\n")
        #expect(lines(two) == ["5:27: error: org 'f' has more than one owner ('b@f.io'); catalog 'launchdarkly' allows exactly one"])
        #expect(two.diagnostics.first?.notes.first?.location?.line == 4)
    }

    @Test func invitationTTLIsADuration() {
        #expect(lines(validate("org: f\nsettings: {invitation_ttl: 7d}\n")) == [])
        #expect(lines(validate("org: f\nsettings: {invitation_ttl: soon}\n")) == [
            "2:28: error: 'invitation_ttl' must be a duration like 14d, 36h or 90m, found 'soon'",
        ])
    }
}
