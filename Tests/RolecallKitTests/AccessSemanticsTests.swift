import Foundation
import Testing
@testable import RolecallKit

/// Regression tests of issue 18 (access semantics against the product documents), each with the
/// minimal manifest from the issue.
@Suite("Access semantics (issue 18)")
struct AccessSemanticsTests {
    static func people(_ yaml: String, now: Date = fixedNow) throws -> [EffectiveAccess.Person] {
        let loaded = validate(yaml, now: now)
        let manifest = try #require(loaded.manifest, "\(lines(loaded))")
        return EffectiveAccess.compute(DesiredState(manifest, now: now).resources, now: now)
    }

    @Test func launchDarklyDirectProjectGrantReplacesTheBaseRole() throws {
        let all = try Self.people("""
            org: acme
            settings: {catalog: launchdarkly}
            apps: [{name: prod}]
            roles: [{name: flag-editor, scope: app, permissions: [flags.update]}]
            members: [{email: owner@acme.io, role: owner}, {email: ann@acme.io, role: admin}]
            grants: [{member: ann@acme.io, role: flag-editor, app: prod}]
            """)
        let ann = try #require(all.first { $0.email == "ann@acme.io" })
        let org = try #require(ann.scope(nil))
        #expect(org.bindings.isEmpty)
        #expect(org.role == nil)
        #expect(org.setAside.map(\.binding.role) == ["admin"])
        #expect(org.setAside.map(\.binding.source) == [.baseRole])
        #expect(ann.scope("prod")?.bindings.map(\.role) == ["flag-editor"])
        #expect(ann.scope("prod")?.permissions == ["flags.update"])
    }

    @Test func launchDarklyTeamProjectRoleStillAddsToTheBaseRole() throws {
        let all = try Self.people("""
            org: acme
            settings: {catalog: launchdarkly}
            apps: [{name: prod}]
            roles: [{name: flag-editor, scope: app, permissions: [flags.update]}]
            members: [{email: owner@acme.io, role: owner}, {email: ann@acme.io, role: admin}]
            teams: [{name: ops, members: [ann@acme.io], roles: [{role: flag-editor, app: prod}]}]
            """)
        let ann = try #require(all.first { $0.email == "ann@acme.io" })
        #expect(ann.scope(nil)?.role == "admin")
        #expect(ann.scope(nil)?.setAside.isEmpty == true)
        #expect(ann.scope("prod")?.bindings.map(\.role) == ["flag-editor"])
    }

    @Test func csvListsARoleHeldTwiceOnce() throws {
        let all = try Self.people("""
            org: acme
            apps: [{name: web}]
            roles: [{name: corg0, scope: org, permissions: [a.read]}, {name: capp, scope: app, permissions: [a.write]}]
            members: [{email: ann@acme.io, role: corg0}]
            teams:
              - {name: t1, members: [ann@acme.io], roles: [{role: corg0}, {role: capp, app: web}]}
            grants: [{member: ann@acme.io, role: capp, app: web}]
            """)
        let csv = AccessRenderer(format: .csv).render(all, query: .matrix)
        #expect(csv == "org,email,status,org_role,web\r\nacme,ann@acme.io,invited,corg0,capp\r\n")
    }
}
