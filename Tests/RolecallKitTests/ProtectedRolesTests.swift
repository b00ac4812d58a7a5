import Foundation
import Testing
@testable import RolecallKit

/// `protected_roles`: a plan-level rule (Policies/ProtectedRolesRule.swift) and the plan's policy results.
@Suite("Protected roles")
struct ProtectedRolesTests {
    private static func manifest(protected: String = "[owner]", members: String, teams: String = "") -> String {
        "org: acme\nsettings:\n  catalog: logrocket\n  policy: {protected_roles: \(protected)}\napps: [{name: production}]\n"
            + "members:\n" + members + teams
    }

    private static let base = "  - {email: jane@acme.com, role: owner, sso: true}\n  - {email: bob@acme.com, role: member, sso: true}\n"

    /// Plans `text` against `state` with the given handling of protected changes.
    private func planned(_ text: String, state: State = State(), _ mode: ProtectedChanges = .notice,
                         now: Date = fixedNow) throws -> (plan: Plan, problems: [Diagnostic], results: [PolicyResult]) {
        let loaded = validate(text, now: now)
        let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
        var options = PlanOptions(now: now)
        options.protectedChanges = mode
        let desired = DesiredState(manifest, now: now)
        let plan = Planner.diff(desired: desired, current: state, options: options)
        let problems = Policies.check(plan: plan, desired: desired, state: state, options: options)
        return (plan, problems, Policies.results(manifest: manifest, plan: plan, desired: desired, state: state, options: options))
    }

    private func state(after text: String) throws -> State {
        var state = State()
        for change in try planned(text, .allow).plan.changes { state.apply(change) }
        return state
    }

    private func protectedFindings(_ problems: [Diagnostic]) -> [Diagnostic] {
        problems.filter { $0.code == ProtectedRolesRule.code }
    }

    @Test func planWarnsApplyRefusesAndTheFlagAllows() throws {
        let before = try state(after: Self.manifest(members: Self.base))
        let promoted = Self.manifest(members: Self.base.replacingOccurrences(of: "bob@acme.com, role: member", with: "bob@acme.com, role: owner"))
        let notice = protectedFindings(try planned(promoted, state: before, .notice).problems)
        #expect(notice.map(\.severity) == [.warning])
        #expect(notice.first?.location == SourceLocation(file: "m.yaml", line: 8, column: 5))
        #expect(notice.first?.message.contains("member 'bob@acme.com'") == true)
        let refused = protectedFindings(try planned(promoted, state: before, .refuse).problems)
        #expect(refused.map(\.severity) == [.error])
        #expect(try planned(promoted, state: before, .allow).problems.isEmpty)
    }

    @Test func addingAndRemovingHoldersAndGrantsCounts() throws {
        let first = try planned(Self.manifest(members: Self.base), .refuse)
        #expect(protectedFindings(first.problems).count == 1, "the first owner is a protected change too")
        let before = try state(after: Self.manifest(members: Self.base))
        let withGrant = Self.manifest(members: Self.base, teams: "grants: [{member: bob@acme.com, role: owner}]\n")
        #expect(protectedFindings(try planned(withGrant, state: before, .refuse).problems).count == 1)
        // Changes beside the role (a name) are not protected changes; removing a plain member is not either.
        let renamed = Self.manifest(members: Self.base.replacingOccurrences(of: "{email: jane@acme.com,", with: "{email: jane@acme.com, name: Jane,"))
        #expect(try planned(renamed, state: before, .refuse).problems.isEmpty)
        let withoutBob = Self.manifest(members: "  - {email: jane@acme.com, role: owner, sso: true}\n")
        #expect(try planned(withoutBob, state: before, .refuse).problems.isEmpty)
    }

    @Test func joiningATeamThatHoldsAProtectedRoleCounts() throws {
        let teams = "teams:\n  - {name: owners, members: [jane@acme.com], roles: [{role: owner}]}\n"
        let before = try state(after: Self.manifest(members: Self.base, teams: teams))
        let joined = Self.manifest(members: Self.base, teams: teams.replacingOccurrences(of: "[jane@acme.com]", with: "[jane@acme.com, bob@acme.com]"))
        let found = protectedFindings(try planned(joined, state: before, .refuse).problems)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("through team 'owners'") == true)
    }

    @Test func droppingTheProtectionIsItselfProtected() throws {
        let before = try state(after: Self.manifest(members: Self.base))
        let unprotected = Self.manifest(protected: "[]", members: Self.base.replacingOccurrences(of: "bob@acme.com, role: member", with: "bob@acme.com, role: owner"))
        let found = protectedFindings(try planned(unprotected, state: before, .refuse).problems)
        #expect(found.count == 2, "the settings change and the new owner: \(found.map(\.message))")
    }

    @Test func expiryRevocationsAreNeverHeldUp() throws {
        let expiring = Self.manifest(members: Self.base + "  - {email: temp@acme.com, role: owner, sso: true, expires: 2026-12-01}\n")
        let before = try state(after: expiring)
        let later = try #require(parseTimestamp("2026-12-05T00:00:00Z"))
        let revoked = try planned(expiring, state: before, .refuse, now: later)
        #expect(revoked.plan.changes.contains { $0.reason.isExpiry })
        #expect(revoked.problems.isEmpty)
    }

    @Test func thePlanCarriesTheResultsAndASavedPlanKeepsThem() throws {
        let before = try state(after: Self.manifest(members: Self.base))
        let promoted = Self.manifest(members: Self.base.replacingOccurrences(of: "bob@acme.com, role: member", with: "bob@acme.com, role: owner"))
        var (plan, _, results) = try planned(promoted, state: before)
        #expect(results.map(\.rule) == ["protected_roles"])
        #expect(results.first?.status == .warn)
        #expect(results.first?.stage == .plan)
        #expect(results.first?.findings.first?.location?.line == 8)
        plan.policies = results
        let document = PlanDocument(plan)
        #expect(document.json.contains("\"policies\""))
        let reread = try PlanDocument.read(Data(document.json.utf8)).get()
        #expect(reread.policies == results)
        #expect(ProtectedRolesRule.check(saved: reread, allowProtected: false).map(\.severity) == [.error])
        #expect(ProtectedRolesRule.check(saved: reread, allowProtected: true).isEmpty)
        // Without changes to a protected role the rule passes; a plan of an org with no policy has no results.
        let quiet = try planned(Self.manifest(members: Self.base), state: before)
        #expect(quiet.results.map(\.status) == [.pass])
        #expect(PlanDocument(quiet.plan).policies == nil)
    }
}
