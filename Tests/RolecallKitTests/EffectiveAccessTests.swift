import Foundation
import Testing
@testable import RolecallKit

/// Scenario tests that walk each seed document's rules.
@Suite("Effective access")
struct EffectiveAccessTests {
    private func people(_ yaml: String, state: ((inout State) -> Void)? = nil) throws -> [EffectiveAccess.Person] {
        let loaded = validate(yaml)
        let manifest = try #require(loaded.manifest, "\(lines(loaded))")
        let desired = DesiredState(manifest, now: fixedNow)
        guard let state else { return EffectiveAccess.compute(desired.resources, now: fixedNow) }
        var s = State()
        for change in Planner.plan(desired: desired, current: State(), options: PlanOptions(now: fixedNow)).0.changes { s.apply(change) }
        state(&s)
        return EffectiveAccess.compute(s.resources, now: fixedNow)
    }

    private func describe(_ scope: EffectiveAccess.Scope?) -> String {
        guard let scope else { return "-" }
        let counted = scope.bindings.map { "\($0.role) (\($0.source))" }
        let aside = scope.setAside.map { "[\($0.binding.role) (\($0.binding.source)): \($0.why)]" }
        return ([scope.role ?? "none"] + counted + aside).joined(separator: "; ")
    }

    @Test func logfireOverrideLowersAnAdminOnOneProject() throws {
        let all = try people("""
            org: q
            settings: {catalog: logfire}
            apps: [{name: web, visibility: public}, {name: secret}, {name: docs, visibility: public}]
            members:
              - {email: ada@q.io, role: admin}
              - {email: max@q.io, role: member}
              - {email: gus@q.io, role: guest}
            grants:
              - {member: ada@q.io, role: read, app: web}
              - {member: gus@q.io, role: write, app: docs}
            """)
        let ada = try #require(all.first { $0.email == "ada@q.io" })
        // Admins reach public and private projects; an explicit project role overrides (lowers) it.
        #expect(describe(ada.scope("web")) == "read; read (grant); [admin (org role admin): overridden by an explicit app role]")
        #expect(describe(ada.scope("secret")) == "admin; admin (org role admin)")
        let max = try #require(all.first { $0.email == "max@q.io" })
        // Members reach public projects only.
        #expect(describe(max.scope("web")) == "write; write (org role member)")
        #expect(max.scope("secret") == nil)
        let gus = try #require(all.first { $0.email == "gus@q.io" })
        // Guests reach nothing through their org role, only what they were invited to.
        #expect(gus.scope("web") == nil)
        #expect(describe(gus.scope("docs")) == "write; write (grant)")
        #expect(gus.scope("docs")?.permissions.contains("dashboards.write") == true)
    }

    @Test func launchDarklyDirectRoleReplacesBaseWhileTeamRolesAdd() throws {
        let all = try people("""
            org: f
            settings: {catalog: launchdarkly}
            roles: [{name: flag-triage, scope: org, permissions: [flags.read, flags.update]}]
            members:
              - {email: owner@f.io, role: owner}
              - {email: wes@f.io, role: writer}
              - {email: rae@f.io, role: reader}
            teams:
              - {name: sre, members: [rae@f.io], roles: [{role: writer}]}
            grants:
              - {member: wes@f.io, role: flag-triage}
            """)
        let wes = try #require(all.first { $0.email == "wes@f.io" })
        #expect(describe(wes.scope(nil)) == "none; flag-triage (grant); [writer (base role): replaced by a role assigned directly]")
        #expect(wes.scope(nil)?.permissions == ["flags.read", "flags.update"])
        let rae = try #require(all.first { $0.email == "rae@f.io" })
        // Team roles add to the base role, and the most permissive wins.
        #expect(describe(rae.scope(nil)) == "writer; reader (base role); writer (team sre)")
    }

    @Test func logRocketAppGrantWaitsForAcceptance() throws {
        let yaml = """
            org: b
            settings: {catalog: logrocket}
            apps: [{name: production}, {name: staging}]
            members:
              - {email: own@b.io, role: owner, sso: true}
              - {email: col@agency.io, role: admin}
              - {email: sso@b.io, role: member, sso: true}
            grants:
              - {member: col@agency.io, role: admin, app: production, expires: 2027-07-15, ticket: IAM-1234}
              - {member: sso@b.io, role: viewer, app: staging}
            """
        let invited = try people(yaml)
        let col = try #require(invited.first { $0.email == "col@agency.io" })
        #expect(col.status == "invited")
        #expect(describe(col.scope("production")) == "none; [admin (grant): waiting for the org invitation to be accepted]")
        // SSO members are active at once; an owner reaches every app.
        #expect(describe(invited.first { $0.email == "sso@b.io" }?.scope("staging")) == "viewer; viewer (grant)")
        #expect(describe(invited.first { $0.email == "own@b.io" }?.scope("staging")) == "admin; admin (org role owner)")
        // Once the invitation is accepted, the grant counts.
        let accepted = try people(yaml) { state in
            state.resources[ResourceID(org: "b", kind: .member, key: "col@agency.io")]?["status"] = .string("active")
        }
        let grant = try #require(accepted.first { $0.email == "col@agency.io" }?.scope("production"))
        #expect(describe(grant) == "admin; admin (grant)")
        #expect(grant.bindings.first?.ticket == "IAM-1234")
        #expect(grant.bindings.first?.expires == parseTimestamp("2027-07-16T00:00:00Z"))
    }

    @Test func rudderStackPermissionMatrix() throws {
        let all = try people("""
            org: p
            settings: {catalog: rudderstack, plan: free}
            members:
              - {email: a@p.io, role: admin}
              - {email: w@p.io, role: read_write}
              - {email: v@p.io, role: view_only}
            """)
        func perms(_ email: String) -> Set<String> { Set(all.first { $0.email == email }?.scope(nil)?.permissions ?? []) }
        #expect(perms("v@p.io").isSuperset(of: ["sources.view", "live_events.view", "transformations.test", "team.view"]))
        #expect(perms("v@p.io").isDisjoint(with: ["sources.delete", "destinations.secrets.view", "syncs.run", "audit_logs.view"]))
        #expect(perms("w@p.io").isSuperset(of: ["sources.delete", "syncs.run", "audit_logs.view", "destinations.secrets.view"]))
        #expect(perms("w@p.io").isDisjoint(with: ["team.invite", "team.edit_roles", "team.remove_members"]))
        #expect(perms("a@p.io").isSuperset(of: perms("w@p.io").union(["team.invite", "team.remove_members"])))
    }

    @Test func expiredBindingsDoNotCount() throws {
        let all = try people("""
            org: q
            settings: {catalog: logfire}
            apps: [{name: web}]
            members: [{email: a@q.io, role: guest}]
            grants: [{member: a@q.io, role: write, app: web, expires: 2026-11-01}]
            """)
        #expect(all.first?.scope("web") == nil)
        #expect(all.first?.scope(nil)?.role == "guest")
    }
}

@Suite("Access changes in plans")
struct AccessChangeTests {
    @Test func aGrantReadsAsAPersonsChange() throws {
        let before = """
            org: q
            settings: {catalog: logfire}
            apps: [{name: production}]
            members: [{email: jane@q.io, role: guest}, {email: boss@q.io, role: admin}]
            grants: [{member: jane@q.io, role: read, app: production}]
            """
        let after = before.replacingOccurrences(of: "{member: jane@q.io, role: read, app: production}",
                                                with: "{member: jane@q.io, role: admin, app: production, expires: 2027-07-15, ticket: IAM-1234}")
        var state = State()
        let first = try #require(validate(before).manifest)
        for change in Planner.plan(desired: DesiredState(first, now: fixedNow), current: state, options: PlanOptions(now: fixedNow)).0.changes {
            state.apply(change)
        }
        let second = try #require(validate(after).manifest)
        let plan = Planner.plan(desired: DesiredState(second, now: fixedNow), current: state, options: PlanOptions(now: fixedNow)).0
        #expect(plan.accessChanges.map(\.line) == [
            "jane@q.io  production: read -> admin (grant, until 2027-07-16T00:00:00Z, IAM-1234)",
        ])
        #expect(PlanRenderer(format: .text).render(plan).contains("Access changes:\n  jane@q.io  production: read -> admin"))
        #expect(PlanDocument(plan).access_changes?.first?.after == "admin")
    }
}
