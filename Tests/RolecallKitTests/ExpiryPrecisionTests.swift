import Foundation
import Testing
@testable import RolecallKit

/// Issue 18.2: one instant gives one answer in desired state, state, plan and access. Expiries keep
/// the fraction of a second the manifest gave, to the millisecond.
@Suite("Expiry precision (issue 18.2)")
struct ExpiryPrecisionTests {
    static let manifest = """
        org: acme
        apps: [{name: web}]
        roles:
          - {name: corg, scope: org, permissions: [a.read]}
          - {name: dev, scope: app, permissions: [a.read]}
        members:
          - {email: owner@acme.io, role: corg}
          - {email: ann@acme.io, role: corg, expires: "2026-11-23T12:00:00.999Z"}
        grants:
          - {member: owner@acme.io, role: dev, app: web, expires: "2026-11-23T12:00:00.5Z"}
        """

    static func at(_ text: String) throws -> Date { try #require(parseTimestamp(text)) }

    /// Plan from an empty state, apply, and ask `access` about the state: the three must agree.
    static func run(now: Date) throws -> (plan: Plan, state: State, people: [EffectiveAccess.Person]) {
        let loaded = validate(manifest, now: now)
        let m = try #require(loaded.manifest, "\(lines(loaded))")
        let desired = DesiredState(m, now: now)
        let plan = Planner.plan(desired: desired, current: State(), options: PlanOptions(now: now)).0
        var state = State()
        for change in plan.changes { state.apply(change) }
        return (plan, state, EffectiveAccess.compute(state.resources, now: now))
    }

    @Test func theFractionIsKeptInStateAndAccess() throws {
        let (plan, state, people) = try Self.run(now: try Self.at("2026-11-23T11:00:00Z"))
        let expiries = state.resources.compactMap { EffectiveAccess.string($0.value, "expires") }.sorted()
        #expect(expiries == ["2026-11-23T12:00:00.5Z", "2026-11-23T12:00:00.999Z"])
        #expect(plan.nextExpiry == (try Self.at("2026-11-23T12:00:00.5Z")))
        let owner = try #require(people.first { $0.email == "owner@acme.io" })
        #expect(owner.scope("web")?.bindings.first?.expires == (try Self.at("2026-11-23T12:00:00.5Z")))
        #expect(AccessRenderer(format: .text).render(people, query: .matrix).contains("until 2026-11-23T12:00:00.5Z"))
    }

    @Test(arguments: [
        ("2026-11-23T12:00:00.4Z", true, true), ("2026-11-23T12:00:00.5Z", true, false),
        ("2026-11-23T12:00:00.998Z", true, false), ("2026-11-23T12:00:00.999Z", false, false),
        ("2026-11-23T12:00:00.9995Z", false, false),
    ])
    func planAndAccessAgreeAtEveryInstant(now text: String, annLive: Bool, grantLive: Bool) throws {
        let now = try Self.at(text)
        let (plan, state, people) = try Self.run(now: now)
        let planned = Set(plan.changes.map(\.id.key))
        #expect(planned.contains("ann@acme.io") == annLive)
        #expect(state.resources.contains { $0.key.key == "ann@acme.io" } == annLive)
        #expect(people.contains { $0.email == "ann@acme.io" } == annLive)
        let owner = try #require(people.first { $0.email == "owner@acme.io" })
        #expect((owner.scope("web") != nil) == grantLive)
    }

    @Test func anExpiryUnderASecondAwayReadsInSeconds() throws {
        let (plan, _, _) = try Self.run(now: try Self.at("2026-11-23T12:00:00Z"))
        let messages = plan.notices.map(\.message)
        #expect(messages.contains("member ann@acme.io expires on 2026-11-23T12:00:00.999Z (in 1 second)"), "\(messages)")
        #expect(Timestamp.remaining(0.999) == "1 second")
        #expect(Timestamp.remaining(61) == "2 minutes")
        #expect(Timestamp.remaining(3 * 3600) == "3 hours")
        #expect(Timestamp.remaining(8.5 * 86_400) == "9 days")
    }

    @Test func finerThanAMillisecondIsRefusedInManifestsAndTruncatedForNow() throws {
        let loaded = validate("""
            org: acme
            members: [{email: a@acme.io, role: corg, expires: "2026-11-23T12:00:00.9991Z"}]
            roles: [{name: corg, scope: org, permissions: [a.read]}]
            """)
        #expect(loaded.manifest == nil)
        #expect(codes(loaded).contains("2:51: RC2104 invalid-expiry"), "\(lines(loaded))")
        #expect(loaded.diagnostics.contains { $0.message.contains("millisecond") })
        #expect(validate("""
            org: acme
            members: [{email: a@acme.io, role: corg, expires: "2026-11-23T12:00:00.999000Z"}]
            roles: [{name: corg, scope: org, permissions: [a.read]}]
            """).manifest != nil)
        #expect(parseTimestamp("2026-11-23T12:00:00.999999999Z") == (try Self.at("2026-11-23T12:00:00.999Z")))
    }

    @Test func millisecondsRoundTripThroughTextForEveryYear() throws {
        var rng = SplitMix(seed: 7)
        for _ in 0..<20_000 {
            let seconds = Int(rng.next() % 253_402_300_800) - 62_135_596_800 / 2
            let millis = Int(rng.next() % 1000)
            let date = Timestamp.date(seconds: seconds, millis: millis)
            let text = Timestamp.format(date)
            guard parseTimestamp(text) == date else {
                Issue.record("\(seconds).\(millis) -> \(text) does not read back")
                return
            }
        }
    }
}
