import Foundation
import Testing
@testable import RolecallKit

private let keys = """
    org: acme
    settings: {catalog: logrocket, review_every: 180d}
    apps: [{name: production}]
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: temp@agency.io, role: member, sso: true, expires: 2027-03-01, reviewed: 2026-05-01}
    api_keys:
      - name: source-maps
        app: production
        access: read-write
        owner: temp@agency.io
        purpose: Upload source maps from CI
        expires: 2027-01-31
        rotate_every: 90d
        ticket: IAM-1234

    """

private func planned(_ text: String, state: State = State(lineage: "l", serial: 1), now: Date,
                     onlyExpired: Bool = false) throws -> Plan {
    let loaded = validate(text, now: now)
    let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
    var options = PlanOptions(now: now)
    options.onlyExpired = onlyExpired
    return Planner.plan(desired: DesiredState(manifest, now: now), current: state, options: options).0
}

private func applying(_ plan: Plan, to state: State) -> State {
    var state = state
    for change in plan.changes { state.apply(change) }
    return state
}

private func day(_ text: String) -> Date { parseInstantOrDate(text) ?? fixedNow }

@Suite("API keys and reviews")
struct APIKeyTests {
    @Test func badKeysAreReportedWhereTheyAreWritten() {
        let result = validate("""
            org: acme
            settings: {catalog: logrocket}
            apps: [{name: production}]
            members: [{email: a@acme.com, role: owner}]
            api_keys:
              - {name: k1, app: production, access: write, owner: a@acme.com}
              - {name: k2, app: prod, access: read, owner: b@acme.com, rotate_every: 36h}
              - {name: k3, app: production, access: read, owner: a@acme.com, colour: red, reviewed: 2027-01-01}
              - {name: k3, app: production, access: read, owner: a@acme.com}

            """)
        #expect(Set(codes(result)) == [
            "6:41: RC2115 invalid-key-access", "7:74: RC2116 invalid-period", "8:66: RC2009 unknown-key",
            "9:5: RC3001 duplicate-declaration", "7:48: RC3102 unknown-member", "7:21: RC3104 unknown-app",
            "8:89: RC2117 invalid-review-date",
        ])
    }

    @Test func theStateHoldsMetadataOnlyAndTheCreationInstant() throws {
        let plan = try planned(keys, state: State(lineage: "l", serial: 1), now: fixedNow)
        let create = try #require(plan.changes.first { $0.id.kind == .apiKey })
        #expect(create.action == .create)
        #expect(create.id.key == "source-maps")
        let after = try #require(create.after)
        #expect(Set(after.keys) == ["access", "app", "created_at", "expires", "owner", "purpose", "rotate_every", "ticket"])
        #expect(after["rotate_every"] == .string("90d"))
        #expect(after["created_at"] == .string("2026-11-23T12:00:00Z"))
    }

    @Test func aKeyIsRotatedOnceRotateEveryHasPassed() throws {
        let keys = keys.replacingOccurrences(of: "expires: 2027-01-31", with: "expires: 2027-06-30")
        var state = applying(try planned(keys, now: fixedNow), to: State(lineage: "l", serial: 1))
        // 89 days later: nothing to do.
        #expect(try planned(keys, state: state, now: fixedNow.addingTimeInterval(89 * 86_400)).changes.isEmpty)
        // 90 days later: a rotation, recorded, then nothing again.
        let later = fixedNow.addingTimeInterval(90 * 86_400)
        let rotation = try planned(keys, state: state, now: later)
        #expect(rotation.changes.map(\.reason) == [.rotationDue(since: "2026-11-23T12:00:00Z")])
        #expect(rotation.changes.first?.changedAttributes == ["rotated_at"])
        state = applying(rotation, to: state)
        #expect(try planned(keys, state: state, now: later.addingTimeInterval(3600)).changes.isEmpty)
        // --only-expired never rotates.
        #expect(try planned(keys, state: applying(try planned(keys, now: fixedNow), to: State(lineage: "l", serial: 1)),
                            now: later, onlyExpired: true).changes.isEmpty)
    }

    @Test func onlyExpiredRevokesExpiredKeysAndKeysWhoseOwnerLeft() throws {
        let state = applying(try planned(keys, now: fixedNow), to: State(lineage: "l", serial: 1))
        let expired = try planned(keys, state: state, now: day("2027-02-01"), onlyExpired: true)
        #expect(expired.changes.map { "\($0.action.rawValue) \($0.id) \($0.reason)" } == ["delete api key source-maps expired on 2027-01-31"])
        let longer = keys.replacingOccurrences(of: "expires: 2027-01-31", with: "expires: 2028-01-31")
        let ownerGone = try planned(longer, state: state, now: day("2027-03-02"), onlyExpired: true)
        #expect(ownerGone.changes.contains { $0.id.kind == .apiKey && $0.reason == .expired(on: "2027-03-01", via: "member temp@agency.io") })
    }

    @Test func overdueReviewsWarnAndComingOnesAreNoticed() throws {
        // Reviewed 2026-05-01, every 180 days: due by 2026-10-28, overdue from the 29th.
        let before = validate(keys, now: day("2026-10-28"))
        #expect(!codes(before).contains { $0.hasSuffix("review-overdue") })
        let after = validate(keys, now: day("2026-10-29"))
        #expect(codes(after).contains("6:85: RC3420 review-overdue"))
        var options = PlanOptions(now: day("2026-10-20"))
        options.warnWithin = 14 * 86_400
        let manifest = try #require(validate(keys, now: day("2026-10-20")).manifest)
        let plan = Planner.plan(desired: DesiredState(manifest, now: day("2026-10-20")), current: State(), options: options).0
        let review = try #require(plan.notices.first { $0.kind == .reviewDue })
        #expect(review.id == ResourceID(org: "acme", kind: .member, key: "temp@agency.io"))
        #expect(review.message.contains("due by 2026-10-28"))
    }

    @Test func aMemberOrGrantOverridesTheOrgsPeriod() throws {
        let text = keys.replacingOccurrences(of: "reviewed: 2026-05-01}", with: "reviewed: 2026-05-01, review_every: 365d}")
        let org = try #require(validate(text, now: fixedNow).manifest?.organizations.first)
        let items = Reviews.items(of: org, now: fixedNow)
        #expect(items.map(\.every) == [365])
        #expect(items.first?.due == CalendarDay(year: 2027, month: 5, day: 1))
    }

    @Test func auditRecordsCarryTheResourceAndReplayToAnInstant() throws {
        let plan = try planned(keys, now: fixedNow)
        let records = plan.changes.map { AuditRecord(time: fixedNow, actor: "ci", change: $0, result: "ok") }
        let later = Change(action: .delete, id: ResourceID(org: "acme", kind: .apiKey, key: "source-maps"),
                           before: plan.changes.first { $0.id.kind == .apiKey }?.after, after: nil, reason: .removedFromManifests)
        let text = (records + [AuditRecord(time: day("2026-12-01"), actor: "ci", change: later, result: "ok")]).map(\.jsonLine).joined()
        let history = AuditHistory.parse(Array(text.utf8))
        #expect(history.firstUnreplayable == nil)
        let then = history.replay(until: day("2026-11-30"))
        #expect(then.resources[later.id]?["owner"] == .string("temp@agency.io"))
        #expect(then.since[later.id]?.actor == "ci")
        #expect(history.replay(until: day("2026-12-02")).resources[later.id] == nil)
        // An old record without attributes cannot be replayed.
        let old = #"{"action":"create","actor":"ci","key":"a@b.io","kind":"member","org":"acme","reason":"added","result":"ok","time":"2026-11-01T00:00:00Z"}"#
        #expect(AuditHistory.parse(Array((old + "\n" + text).utf8)).firstUnreplayable?.line == 1)
    }
}
