import Foundation
import Testing
@testable import RolecallKit

/// Issue 18.3: LaunchDarkly's "exactly one owner" counts effective owners, after the access rules.
@Suite("Exactly one owner, on effective access (issue 18.3)")
struct OwnerRuleTests {
    static func org(_ extra: String) -> String {
        """
        org: acme
        settings: {catalog: launchdarkly}
        apps: [{name: prod}]
        roles: [{name: flag-editor, scope: app, permissions: [flags.update]}]
        members: [{email: owner@acme.io, role: owner}, {email: ann@acme.io, role: admin}]

        """ + extra
    }

    /// The errors as `line:column: code name`.
    static func errors(_ yaml: String) -> [String] {
        let result = validate(yaml)
        return zip(result.diagnostics, codes(result)).filter { $0.0.severity == .error }.map(\.1)
    }

    @Test func theBaseCaseIsValid() {
        #expect(Self.errors(Self.org("")) == [])
    }

    @Test func ownerThroughADirectGrantIsASecondOwner() {
        let errors = Self.errors(Self.org("grants: [{member: ann@acme.io, role: owner}]\n"))
        #expect(errors == ["6:38: RC3304 multiple-owners"])
        let result = validate(Self.org("grants: [{member: ann@acme.io, role: owner}]\n"))
        #expect(result.diagnostics.first?.notes.first?.location?.line == 5)
    }

    @Test func ownerThroughATeamRoleIsASecondOwner() {
        let errors = Self.errors(Self.org("teams: [{name: ops, members: [ann@acme.io], roles: [{role: owner}]}]\n"))
        #expect(errors == ["6:60: RC3304 multiple-owners"])
    }

    @Test func aDirectOrgGrantToTheOwnerLeavesNone() {
        let result = validate(Self.org("grants: [{member: owner@acme.io, role: admin}]\n"))
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: admin}]\n")) == ["6:40: RC3303 owner-replaced"])
        #expect(result.diagnostics.first?.notes.first?.location?.line == 5)
    }

    @Test func aDirectProjectGrantToTheOwnerLeavesNone() {
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: flag-editor, app: prod}]\n")) == [
            "6:40: RC3303 owner-replaced",
        ])
    }

    @Test func theOwnerGrantedOwnerDirectlyIsStillTheOnlyOne() {
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: owner}]\n")) == [])
        // A team role adds to the base role: the owner on a team that is granted owner is one owner.
        #expect(Self.errors(Self.org("teams: [{name: ops, members: [owner@acme.io], roles: [{role: owner}]}]\n")) == [])
    }

    @Test func expiredBindingsDoNotCount() {
        #expect(Self.errors(Self.org("grants: [{member: ann@acme.io, role: owner, expires: 2026-01-01}]\n")) == [])
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: admin, expires: 2026-01-01}]\n")) == [])
        #expect(Self.errors(Self.org("teams: [{name: ops, members: [{email: ann@acme.io, expires: 2026-01-01}], roles: [{role: owner}]}]\n")) == [])
    }
}
