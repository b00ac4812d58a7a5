import Foundation
import Testing
@testable import RolecallKit

/// Plans from in-memory manifests against in-memory state.
private func plan(_ files: [(String, String)], state: State = State(lineage: "", serial: 0), now: Date = fixedNow,
                  configure: (inout PlanOptions) -> Void = { _ in }) throws -> (Plan, [Diagnostic]) {
    let loaded = validate(files, now: now)
    let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
    var options = PlanOptions(now: now)
    configure(&options)
    return Planner.plan(desired: DesiredState(manifest, now: now), current: state, options: options)
}

private func applied(_ plan: Plan, to state: State) -> State {
    var state = state
    for change in plan.changes { state.apply(change) }
    return state
}

private func summary(_ plan: Plan) -> [String] {
    plan.changes.map { "\($0.action.rawValue) \($0.id.org) \($0.id) (\($0.reason))" }
}

private let org = """
    org: acme
    settings: {catalog: logrocket, timezone: Europe/Berlin, invitation_ttl: 90d}
    apps: [{name: production}, {name: staging, visibility: public}]
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: Jane@Acme.com, role: member}
      - {email: temp@agency.io, role: member, expires: 2026-12-31, ticket: IAM-1}
    teams:
      - name: support
        members: [jane@acme.com, temp@agency.io]
        roles: [{role: viewer, app: production}]
    grants:
      - {member: temp@agency.io, role: admin, app: staging, expires: 2026-12-15, ticket: IAM-2}
      - {member: jane@acme.com, role: member, app: production}
    """

@Suite("Planner")
struct PlannerTests {
    /// An invitation is re-sent once it is older than invitation_ttl, to the second, however the state
    /// spells the instant it was sent (rolecall's own spelling is compared as text, others are parsed).
    @Test func anInvitationIsResentExactlyWhenItIsOlderThanTheTTL() throws {
        let manifest = """
            org: a
            settings: {catalog: logrocket, invitation_ttl: 1d}
            members:
            """ + "\n" + (0..<8).map { "  - {email: m\($0)@a.io, role: member}" }.joined(separator: "\n")
        let sent = [
            "2026-11-22T12:00:00Z",       // exactly one day before now: stale
            "2026-11-22T12:00:01Z",       // a second later: not yet
            "2026-11-22T11:59:59Z",       // a second earlier: stale
            "2026-11-22T13:00:00+01:00",  // the first, written with an offset: stale
            "2026-11-22T12:00:00.5Z",     // half a second after the first: not yet
            "2026-02-30T00:00:00Z",       // not a date: left alone
            "0001-01-01T00:00:00Z",       // long ago: stale
            "9999-12-31T23:59:59Z",       // far ahead: not yet
        ]
        var state = State(lineage: "l", serial: 1)
        for (i, text) in sent.enumerated() {
            state.resources[ResourceID(org: "a", kind: .member, key: "m\(i)@a.io")] =
                ["invited_at": .string(text), "role": .string("member"), "sso": .bool(false), "status": .string("invited")]
        }
        let (plan, _) = try plan([("m.yaml", manifest)], state: state)
        let resent = plan.changes.filter { if case .invitationResent = $0.reason { return true } else { return false } }.map(\.id.key)
        #expect(resent.sorted() == ["m0@a.io", "m2@a.io", "m3@a.io", "m6@a.io"])
    }

    /// Timestamps as rolecall writes them sort in time order as text, and only valid ones count as written so.
    @Test func canonicalTimestampsSortInTimeOrder() {
        var random = SplitMix(seed: 11)
        var previous: (Date, String)?
        for _ in 0..<2000 {
            let seconds = Int64(random.next() % 315_000_000_000) - 62_000_000_000
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = Timestamp.format(date)
            #expect(Timestamp.isCanonical(text), "\(text)")
            #expect(Timestamp.parse(text) == date, "\(text)")
            if let (before, written) = previous {
                #expect((compareBytes(written, text) < 0) == (before < date), "\(written) \(text)")
            }
            previous = (date, text)
        }
        for text in ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
                     "2026-01-01T00:00:60Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01T00:00:00+00:00",
                     "2026-01-01T00:00:00.0Z", "2026-1-01T00:00:00Z", "", "2026-01-01"] {
            #expect(!Timestamp.isCanonical(text), "\(text)")
        }
    }

    @Test func firstPlanCreatesParentsBeforeChildren() throws {
        let (plan, problems) = try plan([("a.yaml", org)])
        #expect(problems.isEmpty)
        #expect(summary(plan) == [
            "create acme settings of acme (added)",
            "create acme app production (added)",
            "create acme app staging (added)",
            "create acme member jane@acme.com (added)",
            "create acme member owner@acme.com (added)",
            "create acme member temp@agency.io (added)",
            "create acme team support (added)",
            "create acme team membership support/jane@acme.com (added)",
            "create acme team membership support/temp@agency.io (added)",
            "create acme grant member:jane@acme.com:member@production (added)",
            "create acme grant member:temp@agency.io:admin@staging (added)",
            "create acme grant team:support:viewer@production (added)",
        ])
        #expect(plan.summaryLine == "Plan: 12 to add, 0 to change, 0 to remove.")
        let owner = plan.changes.first { $0.id.key == "owner@acme.com" }
        #expect(owner?.after?["status"] == .string("active"))
        #expect(plan.changes.first { $0.id.key == "jane@acme.com" }?.after?["status"] == .string("invited"))
        // Date-only expiries last through the day in Europe/Berlin (UTC+1 in December).
        #expect(plan.changes.first { $0.id.key == "temp@agency.io" }?.after?["expires"] == .string("2026-12-31T23:00:00Z"))
        #expect(plan.nextExpiry == parseTimestamp("2026-12-15T23:00:00Z"))
    }

    @Test func desiredResourcesAreSortedByIdAndFoundById() throws {
        // Teams "a" and "a-b" sort one way, their membership keys ("a/…", "a-b/…") the other; grants
        // are written (member:…) in another order than they are declared in.
        let text = """
            org: acme
            settings: {catalog: logrocket}
            members:
              - {email: b@acme.com, role: owner}
              - {email: a@acme.com, role: member}
            teams:
              - {name: a, members: [b@acme.com]}
              - {name: a-b, members: [a@acme.com]}
            grants:
              - {team: a, role: viewer, app: production}
              - {member: b@acme.com, role: viewer, app: production}
              - {member: a@acme.com, role: viewer, app: production}
            apps: [{name: production}]
            """
        let loaded = validate(text)
        let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
        let desired = DesiredState(manifest, now: fixedNow)
        let ids = desired.entries.map(\.id)
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.filter { $0.kind == .teamMembership }.map(\.key) == ["a-b/a@acme.com", "a/b@acme.com"])
        #expect(ids.filter { $0.kind == .grant }.map(\.key)
            == ["member:a@acme.com:viewer@production", "member:b@acme.com:viewer@production", "team:a:viewer@production"])
        for entry in desired.entries {
            #expect(desired.entry(entry.id) == entry)
            #expect(desired.resources[entry.id] == entry.attributes)
        }
        #expect(desired.entry(ResourceID(org: "acme", kind: .member, key: "c@acme.com")) == nil)
        #expect(desired.location(of: ResourceID(org: "acme", kind: .team, key: "a-b"))?.line == 8)
    }

    @Test func applyingThePlanLeavesNothingToDo() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State(lineage: "l", serial: 1))
        let (second, problems) = try plan([("a.yaml", org)], state: state)
        #expect(problems.isEmpty)
        #expect(second.isEmpty)
        #expect(second.summaryLine == "No changes.")
    }

    @Test func emailCaseNeverCausesAChange() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let shouting = org.replacingOccurrences(of: "Jane@Acme.com", with: "JANE@ACME.COM")
            .replacingOccurrences(of: "[jane@acme.com, temp@agency.io]", with: "[Jane@acme.com, TEMP@agency.io]")
        #expect(try plan([("a.yaml", shouting)], state: state).0.isEmpty)
    }

    @Test func removingAMemberRemovesTheirAccessChildrenFirst() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let without = org.replacingOccurrences(of: "  - {email: Jane@Acme.com, role: member}\n", with: "")
            .replacingOccurrences(of: "[jane@acme.com, temp@agency.io]", with: "[temp@agency.io]")
            .replacingOccurrences(of: "\n  - {member: jane@acme.com, role: member, app: production}", with: "")
        let (plan, _) = try plan([("a.yaml", without)], state: state)
        #expect(summary(plan) == [
            "delete acme grant member:jane@acme.com:member@production (removed from manifests)",
            "delete acme team membership support/jane@acme.com (removed from manifests)",
            "delete acme member jane@acme.com (removed from manifests; pending invitation cancelled)",
        ])
    }

    @Test func movingNowPastAnExpiryRevokesExactlyThat() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let (plan, _) = try plan([("a.yaml", org)], state: state, now: try #require(parseTimestamp("2026-12-16T00:00:00Z")))
        #expect(summary(plan) == ["delete acme grant member:temp@agency.io:admin@staging (expired on 2026-12-15)"])
        #expect(plan.changes.first?.location == SourceLocation(file: "a.yaml", line: 13, column: 66))
        #expect(plan.summaryLine == "Plan: 0 to add, 0 to change, 1 to remove (1 expired).")
    }

    @Test func anExpiredMemberTakesTheirMembershipsAndGrants() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let (plan, _) = try plan([("a.yaml", org)], state: state, now: try #require(parseTimestamp("2027-01-01T00:00:00Z")))
        #expect(summary(plan) == [
            "delete acme grant member:temp@agency.io:admin@staging (expired on 2026-12-15)",
            "delete acme team membership support/temp@agency.io (expired on 2026-12-31 (member temp@agency.io))",
            "delete acme member temp@agency.io (expired on 2026-12-31)",
        ])
    }

    @Test func onlyExpiredIgnoresOtherDrift() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let drifted = org.replacingOccurrences(of: "{email: Jane@Acme.com, role: member}", with: "{email: Jane@Acme.com, role: admin}")
            .replacingOccurrences(of: "{name: production}", with: "{name: production}, {name: dev}")
        let later = try #require(parseTimestamp("2026-12-16T00:00:00Z"))
        let (all, _) = try plan([("a.yaml", drifted)], state: state, now: later)
        #expect(all.changes.count == 3)
        let (expiredOnly, _) = try plan([("a.yaml", drifted)], state: state, now: later) { $0.onlyExpired = true }
        #expect(summary(expiredOnly) == ["delete acme grant member:temp@agency.io:admin@staging (expired on 2026-12-15)"])
        #expect(expiredOnly.onlyExpired)
    }

    @Test func updatesShowBeforeAndAfterAndKeepStatus() throws {
        let (first, _) = try plan([("a.yaml", org)])
        var state = applied(first, to: State())
        state.resources[ResourceID(org: "acme", kind: .member, key: "jane@acme.com")]?["status"] = .string("active")
        let promoted = org.replacingOccurrences(of: "{email: Jane@Acme.com, role: member}", with: "{email: Jane@Acme.com, role: admin}")
        let (plan, _) = try plan([("a.yaml", promoted)], state: state)
        let change = try #require(plan.changes.first)
        #expect(plan.changes.count == 1)
        #expect(change.action == .update)
        #expect(change.changedAttributes == ["role"])
        #expect(change.after?["status"] == .string("active"))
    }

    @Test func massRemovalGuardAndAcknowledgement() throws {
        let many = "org: acme\nsettings: {catalog: logrocket, max_removals: 20%}\nmembers:\n"
            + (0..<10).map { "  - {email: u\($0)@acme.com, role: \($0 == 0 ? "owner" : "member")}\n" }.joined()
        let (first, _) = try plan([("a.yaml", many)])
        let state = applied(first, to: State())
        let fewer = many.components(separatedBy: "\n").filter { !$0.contains("u7@") && !$0.contains("u8@") && !$0.contains("u9@") }
            .joined(separator: "\n")
        let (_, problems) = try plan([("a.yaml", fewer)], state: state)
        #expect(problems.map(\.code) == [.removalLimit])
        #expect(problems.map(\.message) == ["plan removes 3 members from org 'acme' (30% of 10), more than max_removals 20% allows"])
        #expect(problems.first?.notes.first?.message == "if this is intended, re-run with --allow-removals 3")
        #expect(try plan([("a.yaml", fewer)], state: state) { $0.allowRemovals = 3 }.1.isEmpty)
        #expect(try plan([("a.yaml", fewer)], state: state) { $0.maxRemovals = .count(3) }.1.isEmpty)
        #expect(try plan([("a.yaml", fewer)], state: state) { $0.maxRemovals = .count(2) }.1.count == 1)
    }

    @Test func theLastOwnerIsNeverRemoved() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let ownerless = org.replacingOccurrences(of: "{email: owner@acme.com, role: owner, sso: true}", with: "{email: owner@acme.com, role: admin}")
        let (_, problems) = try plan([("a.yaml", ownerless)], state: state)
        #expect(problems.map(\.code) == [.lastOwner])
        #expect(problems.map(\.message) == ["plan removes the last owner of org 'acme' (owner@acme.com); an org must keep one"])
        let handedOver = ownerless.replacingOccurrences(of: "{email: Jane@Acme.com, role: member}", with: "{email: Jane@Acme.com, role: owner}")
        // Handed over to a member who accepted their invitation (a pending one does not count: see PolicyTests).
        var accepted = state
        accepted.resources[ResourceID(org: "acme", kind: .member, key: "jane@acme.com")]?["status"] = .string("active")
        #expect(try plan([("a.yaml", handedOver)], state: accepted).1.isEmpty)
    }

    @Test func noticesForExpiringAccessAndPendingInvitations() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State())
        let (plan, _) = try plan([("a.yaml", org)], state: state, now: try #require(parseTimestamp("2026-12-10T00:00:00Z")))
        #expect(plan.notices.map(\.message) == [
            "invitation to jane@acme.com is still pending",
            "invitation to temp@agency.io is still pending",
            "grant member:temp@agency.io:admin@staging expires on 2026-12-15 (in 6 days)",
        ])
    }

    @Test func staleSavedPlansAreRefusedForEachReason() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let state = applied(first, to: State(lineage: "one", serial: 4))
        let (saved, _) = try plan([("a.yaml", org.replacingOccurrences(of: "{name: production}", with: "{name: production}, {name: dev}"))],
                                  state: state)
        #expect(Staleness.check(saved, state: state, now: fixedNow) == nil)
        #expect(Staleness.check(saved, state: State(lineage: "two", serial: 4, resources: state.resources), now: fixedNow)
            == .otherLineage(plan: "one", state: "two"))
        #expect(Staleness.check(saved, state: State(lineage: "one", serial: 5, resources: state.resources), now: fixedNow)
            == .serialMoved(plan: 4, state: 5))
        let later = try #require(parseTimestamp("2026-12-16T00:00:00Z"))
        #expect(Staleness.check(saved, state: state, now: later) == .expiryPassed("2026-12-15T23:00:00Z"))
    }

    @Test func theDigestIsComputedWhenAskedAndFollowsTheManifests() throws {
        let (with, _) = try plan([("a.yaml", org)])
        #expect(with.manifestDigest.count == 64 && with.manifestDigest.allSatisfy(\.isHexDigit))
        #expect(try plan([("b.yaml", org)]).0.manifestDigest == with.manifestDigest, "the file name is not part of the desired state")
        let changed = org.replacingOccurrences(of: "{name: production}", with: "{name: production, description: Live}")
        #expect(try plan([("a.yaml", changed)]).0.manifestDigest != with.manifestDigest)
        #expect(try plan([("a.yaml", org)]) { $0.digest = false }.0.manifestDigest == "")
    }

    @Test func savedPlanRoundTrips() throws {
        let (first, _) = try plan([("a.yaml", org)])
        let document = PlanDocument(first).json
        let back = try PlanDocument.read(Data(document.utf8)).get()
        #expect(back.changes == first.changes)
        #expect(back.notices == first.notices)
        #expect(back.nextExpiry == first.nextExpiry)
        #expect(PlanDocument(back).json == document)
        guard case let .failure(problem) = PlanDocument.read(Data("{}".utf8)) else { Issue.record("accepted {}"); return }
        #expect(problem == .invalid("it is not a rolecall plan file"))
    }
}

/// Generated manifests: apply(plan) then plan is empty, and the plan does not depend on the order of
/// files, documents or list items.
@Suite("Planner properties")
struct PlannerPropertyTests {
    struct Generator {
        var seed: UInt64
        mutating func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
    }

    /// A random valid org as separate YAML fragments (one per list item), so they can be shuffled.
    static func fragments(seed: UInt64) -> (members: [String], teams: [String], grants: [String], apps: [String]) {
        var g = Generator(seed: seed)
        let apps = (0..<(1 + g.next(4))).map { "  - {name: app\($0), visibility: \(g.next(2) == 0 ? "public" : "private")}" }
        let count = 2 + g.next(12)
        let roles = ["admin", "member"]
        var members = ["  - {email: owner@x.io, role: owner}"]
        for i in 1..<count {
            let expiry = g.next(3) == 0 ? ", expires: 2026-\(10 + g.next(3))-\(10 + g.next(18))" : ""
            members.append("  - {email: U\(i)@X.io, role: \(roles[g.next(2)])\(expiry)}")
        }
        var teams: [String] = []
        for t in 0..<g.next(4) {
            let picked = Set((0..<g.next(count)).map { _ in 1 + g.next(count - 1) }).sorted().map { "u\($0)@x.io" }
            teams.append("  - {name: t\(t), members: [\(picked.joined(separator: ", "))], roles: [{role: viewer, app: app0}]}")
        }
        var grants: [String] = []
        var seen = Set<String>()
        for _ in 0..<g.next(10) {
            let who = 1 + g.next(count - 1)
            let app = g.next(apps.count)
            let role = ["admin", "member", "viewer"][g.next(3)]
            guard seen.insert("\(who)\(app)\(role)").inserted else { continue }
            let expiry = g.next(2) == 0 ? ", expires: 2026-12-\(10 + g.next(18))" : ""
            grants.append("  - {member: u\(who)@x.io, role: \(role), app: app\(app)\(expiry)}")
        }
        return (members, teams, grants, apps)
    }

    static func files(_ f: (members: [String], teams: [String], grants: [String], apps: [String]), split: Bool) -> [(String, String)] {
        func section(_ name: String, _ items: [String]) -> String { items.isEmpty ? "" : "\(name):\n" + items.joined(separator: "\n") + "\n" }
        let head = "org: gen\nsettings: {catalog: logrocket}\n"
        if !split {
            return [("all.yaml", head + section("apps", f.apps) + section("members", f.members) + section("teams", f.teams)
                + section("grants", f.grants))]
        }
        return [
            ("z.yaml", "org: gen\n" + section("grants", f.grants) + "---\norg: gen\n" + section("teams", f.teams)),
            ("m.yaml", "org: gen\n" + section("members", f.members)),
            ("a.yaml", head + section("apps", f.apps)),
        ]
    }

    /// The plan without where things were declared (which moves when files move).
    static func essence(_ plan: Plan) -> [String] {
        plan.changes.map { c in
            "\(c.action) \(c.id) \(c.reason) " + [c.before, c.after].map { a in a.map { $0.map { "\($0.key)=\($0.value)" }.joined(separator: ",") } ?? "-" }
                .joined(separator: " ")
        }
    }

    @Test(arguments: 0..<40)
    func applyThenPlanIsEmptyAndOrderDoesNotMatter(_ seed: Int) throws {
        let f = Self.fragments(seed: UInt64(seed) + 1)
        let oneFile = validate(Self.files(f, split: false))
        let manifest = try #require(oneFile.manifest, "generator made invalid manifests: \(lines(oneFile))")
        let options = PlanOptions(now: fixedNow)
        let (first, _) = Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: State(), options: options)

        var g = Generator(seed: UInt64(seed) * 7 + 3)
        func shuffled(_ items: [String]) -> [String] {
            var items = items
            for i in items.indices.reversed() where i > 0 { items.swapAt(i, g.next(i + 1)) }
            return items
        }
        let reordered = (shuffled(f.members), shuffled(f.teams), shuffled(f.grants), shuffled(f.apps))
        let split = try #require(validate(Self.files(reordered, split: true)).manifest)
        let (again, _) = Planner.plan(desired: DesiredState(split, now: fixedNow), current: State(), options: options)
        #expect(Self.essence(again) == Self.essence(first))

        var state = State()
        for change in first.changes { state.apply(change) }
        let (second, _) = Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: state, options: options)
        #expect(second.changes.isEmpty)
        // And through the state file format.
        let reread = try StateCodec.decode(StateCodec.encode(state)).get()
        #expect(reread == state)

        // A state that drifted (resources gone, changed, added, in orgs before and after this one):
        // the walk beside a state read from its file and the lookups in a table plan the same.
        var drifted = reread
        for (i, id) in reread.resources.keys.enumerated() {
            if i % 7 == 3 { drifted.resources[id] = nil }
            if i % 5 == 1 { drifted.resources[id]?["name"] = .string("drift") }
        }
        for org in ["aaa", "gen", "zzz"] {
            drifted.resources[ResourceID(org: org, kind: .member, key: "extra-\(seed)@x.io")] = ["role": .string("member"), "status": .string("invited")]
            drifted.resources[ResourceID(org: org, kind: .grant, key: "member:extra-\(seed)@x.io:member@app0")] = ["role": .string("member")]
        }
        let walked = try StateCodec.decode(StateCodec.encode(drifted)).get()
        #expect(walked.resources.sortedElements != nil)
        let looked = State(lineage: walked.lineage, serial: walked.serial, resources: ResourceTable(walked.resources.dictionary))
        #expect(looked.resources.sortedElements == nil)
        let desired = DesiredState(manifest, now: fixedNow)
        #expect(desired.idsAreASCII)
        let (byWalk, walkProblems) = Planner.plan(desired: desired, current: walked, options: options)
        let (byLookup, lookupProblems) = Planner.plan(desired: desired, current: looked, options: options)
        #expect(!byWalk.changes.isEmpty)
        #expect(Self.essence(byWalk) == Self.essence(byLookup))
        #expect(byWalk.notices.map(\.message) == byLookup.notices.map(\.message))
        #expect(walkProblems.map(\.message) == lookupProblems.map(\.message))
        var converged = walked
        for change in byWalk.changes { converged.apply(change) }
        #expect(Planner.plan(desired: desired, current: converged, options: options).0.changes.isEmpty)
    }
}

@Suite("Plan rendering")
struct PlanRenderingTests {
    private func bigPlan(_ members: Int) throws -> Plan {
        var text = "org: big\nsettings: {catalog: logrocket}\nmembers:\n  - {email: owner@big.io, role: owner}\n"
        for i in 0..<members { text += "  - {email: person-with-a-long-name-\(i)@big-company.example.com, role: member, ticket: IAM-\(i)}\n" }
        let manifest = try #require(validate(text).manifest)
        return Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: State(), options: PlanOptions(now: fixedNow)).0
    }

    @Test func markdownStaysUnderGitHubsLimitAndSaysWhatItLeftOut() throws {
        let plan = try bigPlan(3_000)
        let markdown = PlanRenderer(format: .markdown).render(plan)
        #expect(markdown.utf8.count < 65_000)
        #expect(markdown.contains("\n**Plan: 3002 to add, 0 to change, 0 to remove.**"))
        let shown = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("| + |") }.count
        #expect(shown > 100)
        #expect(markdown.contains("… and \(grouped(3002 - shown)) more resource changes in big not shown"))
        #expect(markdown.contains("\(grouped(3002 - shown)) of 3,002 resource changes in big"))
    }

    @Test func smallPlansAreShownWhole() throws {
        let plan = try bigPlan(3)
        let markdown = PlanRenderer(format: .markdown).render(plan)
        #expect(markdown.components(separatedBy: "\n").filter { $0.hasPrefix("| + |") }.count == 5)
        #expect(!markdown.contains("not shown here"))
    }

    @Test func textIsColouredOnlyWhenAsked() throws {
        let plan = try bigPlan(1)
        #expect(!PlanRenderer(format: .text).render(plan).contains("\u{1B}["))
        #expect(PlanRenderer(format: .text, color: true).render(plan).contains("\u{1B}[32m+\u{1B}[0m"))
    }

    @Test func manyPendingInvitationsAreSummarised() throws {
        let plan = try bigPlan(30)
        var state = State()
        for change in plan.changes { state.apply(change) }
        let text = try #require(validate(
            "org: big\nsettings: {catalog: logrocket}\nmembers:\n  - {email: owner@big.io, role: owner}\n"
                + (0..<30).map { "  - {email: person-with-a-long-name-\($0)@big-company.example.com, role: member, ticket: IAM-\($0)}\n" }.joined()
        ).manifest)
        let again = Planner.plan(desired: DesiredState(text, now: fixedNow), current: state, options: PlanOptions(now: fixedNow)).0
        #expect(again.notices.map(\.message) == [
            "31 invitations in org 'big' are still pending (owner@big.io, person-with-a-long-name-0@big-company.example.com, person-with-a-long-name-10@big-company.example.com, …)",
        ])
    }
}
