import Foundation
import Testing
@testable import RolecallKit

/// Manifests -> validation -> desired state -> diff -> policies, in memory.
private func planned(_ manifests: [String], state: State = State(), configure: (inout PlanOptions) -> Void = { _ in })
    throws -> (plan: Plan, problems: [Diagnostic]) {
    let loaded = validate(manifests.enumerated().map { ("m\($0.offset).yaml", $0.element) })
    let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
    var options = PlanOptions(now: fixedNow)
    configure(&options)
    let desired = DesiredState(manifest, now: fixedNow)
    let plan = Planner.diff(desired: desired, current: state, options: options)
    return (plan, Policies.check(plan: plan, desired: desired, state: state, options: options))
}

/// The state after applying a plan made from `manifests` to `state`.
private func applied(_ manifests: [String], to state: State = State()) throws -> State {
    var state = state
    let plan = try planned(manifests, state: state) { $0.allowRemovals = 1_000 }.plan
    for change in plan.changes { state.apply(change) }
    return state
}

/// An org with an active owner and `members` plain members (no max_removals unless `settings` says so).
private func org(_ name: String, members: Int, settings: String = "", skipping: Set<Int> = []) -> String {
    "org: \(name)\nsettings: {catalog: logrocket\(settings)}\nmembers:\n  - {email: owner@\(name).io, role: owner, sso: true}\n"
        + (0..<members).filter { !skipping.contains($0) }.map { "  - {email: u\($0)@\(name).io, role: member}\n" }.joined()
}

private func errors(_ problems: [Diagnostic]) -> [String] { problems.filter { $0.severity == .error }.map(\.message) }

@Suite("Policies")
struct PolicyTests {
    /// Issue 13, item 2: deleting an org's manifests neither lifts its recorded max_removals nor
    /// removes the org without an explicit --allow-removals.
    @Test func hardening2_deletedOrgKeepsRemovalLimit() throws {
        let state = try applied([org("keep", members: 2), org("gone", members: 4, settings: ", max_removals: 2")])
        let settings = state.resources[ResourceID(org: "gone", kind: .settings, key: "")]
        #expect(settings?["max_removals"] == .string("2"))

        let (plan, problems) = try planned([org("keep", members: 2)], state: state)
        #expect(plan.changes.count { $0.id.org == "gone" && $0.id.kind == .member } == 5)
        let messages = errors(problems)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("org 'gone'") && $0.contains("max_removals 2 (recorded in the state)") })
        #expect(Set(problems.map(\.code)) == [.removalLimit, .orgRemoval])
        // Raising the limit on the command line does not remove an org; acknowledging its removals does.
        #expect(errors(try planned([org("keep", members: 2)], state: state) { $0.maxRemovals = .percent(100) }.problems).count == 1)
        #expect(errors(try planned([org("keep", members: 2)], state: state) { $0.allowRemovals = 4 }.problems).count == 2)
        #expect(try planned([org("keep", members: 2)], state: state) { $0.allowRemovals = 5 }.problems.isEmpty)
    }

    /// An org removed whose state records no limit is held to the default, and still needs --allow-removals.
    @Test func aRemovedOrgWithoutARecordedLimitNeedsAcknowledgement() throws {
        let state = try applied([org("keep", members: 1), org("gone", members: 0)])
        let problems = try planned([org("keep", members: 1)], state: state).problems
        #expect(problems.map(\.code) == [.orgRemoval])
        #expect(problems.first?.notes.first?.message == "if this is intended, re-run with --allow-removals 1")
    }

    /// Issue 13, item 3: without max_removals an org may lose at most 25% of its members in one plan
    /// (always at least one); settings and both flags override it.
    @Test func hardening3_defaultRemovalLimitIsAQuarter() throws {
        let state = try applied([org("acme", members: 11)])  // 12 members with the owner: 3 may go
        let three = org("acme", members: 11, skipping: [0, 1, 2])
        #expect(try planned([three], state: state).problems.isEmpty)
        let four = org("acme", members: 11, skipping: [0, 1, 2, 3])
        #expect(errors(try planned([four], state: state).problems)
            == ["plan removes 4 members from org 'acme' (33% of 12), more than max_removals 25% (the default) allows"])
        #expect(try planned([four], state: state) { $0.allowRemovals = 4 }.problems.isEmpty)
        #expect(try planned([four], state: state) { $0.maxRemovals = .count(4) }.problems.isEmpty)
        let looser = org("acme", members: 11, settings: ", max_removals: 50%", skipping: [0, 1, 2, 3])
        #expect(try planned([looser], state: state).problems.isEmpty)
        // 90% of a large org, the case the review reproduced.
        let big = try applied([org("big", members: 999)])
        #expect(errors(try planned([org("big", members: 99)], state: big).problems).count == 1)
        // One member leaving a small org is not a mass removal.
        let small = try applied([org("tiny", members: 2)])
        #expect(try planned([org("tiny", members: 1)], state: small).problems.isEmpty)
    }

    /// Issue 13, item 4: a pending owner (invited, not accepted) does not keep an org owned.
    @Test func hardening4_pendingOwnerDoesNotCountForLastOwner() throws {
        let withPending = org("acme", members: 1) + "  - {email: new@acme.io, role: owner}\n"
        let state = try applied([withPending])
        #expect(state.resources[ResourceID(org: "acme", kind: .member, key: "new@acme.io")]?["status"] == .string("invited"))
        let ownerGone = withPending.replacingOccurrences(of: "  - {email: owner@acme.io, role: owner, sso: true}\n", with: "")
        #expect(try planned([ownerGone], state: state).problems.map(\.code) == [.lastOwner])
        // Once the invitation is accepted, the new owner counts.
        var accepted = state
        accepted.resources[ResourceID(org: "acme", kind: .member, key: "new@acme.io")]?["status"] = .string("active")
        #expect(try planned([ownerGone], state: accepted).problems.isEmpty)
        // Promoting a pending member while demoting the active owner is refused too.
        let swapped = org("acme", members: 1).replacingOccurrences(of: "role: owner, sso: true", with: "role: admin, sso: true")
            .replacingOccurrences(of: "{email: u0@acme.io, role: member}", with: "{email: u0@acme.io, role: owner}")
        #expect(errors(try planned([swapped], state: try applied([org("acme", members: 1)]))
            .problems).count == 1)
    }

    /// A rule is a value: `check` runs the rules it is given, org by org, only over orgs the plan touches.
    @Test func rulesAreValuesRunOverEachTouchedOrg() throws {
        struct Recorder: PlanPolicy {
            func check(_ context: PolicyContext) -> [Diagnostic] {
                [.warning(.removalLimit, "\(context.org): \(context.changes.count) changes, \(context.members) members", at: nil)]
            }
        }
        let state = try applied([org("a", members: 1), org("b", members: 2)])
        let manifests = [org("a", members: 1), org("b", members: 2, skipping: [1]), org("c", members: 0)]
        let loaded = try #require(validate(manifests.enumerated().map { ("m\($0.offset).yaml", $0.element) }).manifest)
        let desired = DesiredState(loaded, now: fixedNow)
        let plan = Planner.diff(desired: desired, current: state, options: PlanOptions(now: fixedNow))
        let found = Policies.check(plan: plan, desired: desired, state: state, options: PlanOptions(now: fixedNow), rules: [Recorder()])
        #expect(found.map(\.message) == ["b: 1 changes, 3 members", "c: 2 changes, 0 members"])
        #expect(Policies.check(plan: Planner.diff(desired: desired, current: try applied(manifests, to: state), options: PlanOptions(now: fixedNow)),
                               desired: desired, state: state, options: PlanOptions(now: fixedNow), rules: [Recorder()]).isEmpty)
    }

    /// Reading and validating are separate stages; together they are what `load` did.
    @Test func validationIsAStageOfItsOwn() throws {
        let files = [("a.yaml", org("acme", members: 2)), ("b.yaml", "org: acme\nmembers:\n  - {email: x@acme.io, role: nope}\n")]
        let loader = ManifestLoader(now: fixedNow)
        let source = loader.read(files: files.map { (path: $0.0, bytes: Array($0.1.utf8)) })
        #expect(source.isComplete)
        #expect(source.diagnostics.isEmpty)
        let result = Validation.validate(source, now: fixedNow)
        #expect(result.manifest == nil)
        #expect(lines(result) == lines(validate(files)))
        #expect(result.diagnostics.count == 1)
        let broken = loader.read(files: [(path: "c.yaml", bytes: Array("org: [".utf8))])
        #expect(!broken.isComplete)
        #expect(Validation.validate(broken, now: fixedNow).diagnostics.count == 1)
    }
}
