import Foundation
import Testing
@testable import RolecallKit

/// Issue 18's differential test: generated orgs of every catalog, rolecall's `access --format json`
/// (the library calls the CLI makes, from the manifests and from the state a plan writes) against
/// the independent model in DifferentialModel.swift. Seeded: a failure prints the seed and the org.
/// ROLECALL_DIFF_SEED and ROLECALL_DIFF_ORGS replay or widen a run.
@Suite("Differential: effective access against an independent model")
struct DifferentialAccessTests {
    static let env = ProcessInfo.processInfo.environment
    static let orgsPerCatalog = Int(env["ROLECALL_DIFF_ORGS"] ?? "") ?? 200
    static let baseSeed = UInt64(env["ROLECALL_DIFF_SEED"] ?? "") ?? 18

    /// Zones and days around which `now` and the expiries fall: DST changes, half-hour offsets, a skipped day.
    static let pivots: [(zone: String, year: Int, month: Int, day: Int)] = [
        ("Europe/Berlin", 2026, 3, 29), ("Europe/Berlin", 2026, 10, 25), ("America/New_York", 2026, 3, 8),
        ("America/New_York", 2026, 11, 1), ("Australia/Lord_Howe", 2026, 4, 5), ("Asia/Kolkata", 2026, 7, 15),
        ("America/Havana", 2026, 3, 8), ("Pacific/Apia", 2011, 12, 31), ("UTC", 2026, 11, 23),
    ]

    @Test(arguments: [CatalogID.logrocket, .launchdarkly, .rudderstack, .logfire, .custom])
    func rolecallAgreesWithTheModel(_ catalog: CatalogID) throws {
        let catalogIndex = UInt64([CatalogID.logrocket, .launchdarkly, .rudderstack, .logfire, .custom].firstIndex(of: catalog) ?? 0)
        for n in 0..<Self.orgsPerCatalog {
            let seed = Self.baseSeed &* 1_000_003 &+ catalogIndex &* 10_007 &+ UInt64(n)
            var generator = Generator(rng: SplitMix(seed: seed), catalog: catalog)
            let (org, instant) = generator.org()
            // `now` reaches rolecall as `--now` does: as text.
            let now = try #require(parseTimestamp(Generator.text(instant)))
            if let problem = try Self.compare(org, now: now) {
                let files: [String] = Generator.yaml(org).map { file in "# " + file.0 + "\n" + file.1 }
                let report: String = "seed \(seed) (ROLECALL_DIFF_SEED=\(Self.baseSeed), catalog \(catalog.rawValue), org \(n)): \(problem)\n"
                    + "now \(Model.describe(now)) = \(Generator.text(now))\n" + files.joined()
                Issue.record(Comment(rawValue: report))
                return
            }
        }
    }

    /// nil when rolecall and the model agree on `org` at `now`, else what differs.
    static func compare(_ org: ModelOrg, now: Date) throws -> String? {
        let loaded = validate(Generator.yaml(org), now: now)
        guard let manifest = loaded.manifest else { return "rolecall refused the org: \(lines(loaded))" }
        let desired = DesiredState(manifest, now: now)
        let fromManifests = AccessRenderer(format: .json).render(EffectiveAccess.compute(desired.resources, now: now), query: .matrix)
        var state = State()
        for change in Planner.plan(desired: desired, current: State(), options: PlanOptions(now: now)).0.changes { state.apply(change) }
        let fromState = AccessRenderer(format: .json).render(EffectiveAccess.compute(state.resources, now: now), query: .matrix)
        if fromState != fromManifests { return "access from the state differs from access from the manifests" }
        let actual = try parse(fromManifests)
        let expected = Model.access(org, now: now)
        for email in Set(actual.keys).union(expected.keys).sorted() {
            guard let a = actual[email], let e = expected[email] else {
                return "\(email): rolecall \(actual[email] == nil ? "has no such person" : "lists them"), the model \(expected[email] == nil ? "has none" : "does")"
            }
            if a.status != e.status { return "\(email): status \(a.status), model \(e.status)" }
            if a.scopes != e.scopes { return "\(email):\n  rolecall \(a.scopes)\n  model    \(e.scopes)" }
        }
        return nil
    }

    /// `access --format json`, as the model describes scopes.
    static func parse(_ json: String) throws -> [String: (status: String, scopes: [ModelScope])] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var out: [String: (String, [ModelScope])] = [:]
        for person in root["people"] as? [[String: Any]] ?? [] {
            let scopes = (person["scopes"] as? [[String: Any]] ?? []).map { s -> ModelScope in
                let counted = (s["bindings"] as? [[String: Any]] ?? []).map { b in
                    let end = (b["expires"] as? String).flatMap(parseTimestamp)
                    return "\(b["role"] as? String ?? "?") (\(b["source"] as? String ?? "?")) until \(Model.describe(end))"
                }
                let aside = (s["not_counted"] as? [[String: Any]] ?? []).map { "\($0["role"] as? String ?? "?") (\($0["source"] as? String ?? "?"))" }
                return ModelScope(app: s["app"] as? String, counted: counted.sorted(), aside: aside.sorted(),
                                  role: s["role"] as? String, permissions: s["permissions"] as? [String] ?? [])
            }
            out[person["email"] as? String ?? "?"] = (person["status"] as? String ?? "?", scopes)
        }
        return out
    }
}

/// Random orgs of one catalog around a pivot day.
struct Generator {
    var rng: SplitMix
    let catalog: CatalogID

    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    var orgRoles: [String] { (Model.ranks(catalog, app: false).filter { $0 != "owner" || catalog != .launchdarkly }) + ["corg"] }
    var appRoles: [String] { Model.ranks(catalog, app: true) + ["capp", "capp2"] }

    mutating func org() -> (ModelOrg, Date) {
        let pivot = pick(DifferentialAccessTests.pivots)
        let zone = TimeZone(identifier: pivot.zone)!
        // Midnight starting the pivot day, and `now` at it, a second either side or half a second after.
        let midnight = Model.end(.day(year: pivot.year, month: pivot.month, day: pivot.day - 1), zone: zone)
        let now = midnight.addingTimeInterval(pick([-1, 0, 0, 1, 0.5, -0.001]))
        func ending(_ g: inout Generator) -> ModelOrg.Ending? {
            guard g.chance(45) else { return nil }
            if g.chance(50) { return .day(year: pivot.year, month: pivot.month, day: pivot.day + g.pick([-2, -1, -1, 0, 1])) }
            return .instant(midnight.addingTimeInterval(g.pick([-1, 0, 1, 0.5, 0.999, -0.001, 86_400])))
        }
        let apps = (0..<Int(rng.next() % 4)).map { (name: "app\($0)", isPublic: chance(50)) }
        var members: [ModelOrg.Member] = []
        for i in 0..<(2 + Int(rng.next() % 5)) {
            let email = (chance(30) ? "M\(i)@Acme.io" : "m\(i)@acme.io")
            let owner = catalog == .launchdarkly && i == 0
            members.append(.init(email: email, role: owner ? "owner" : pick(orgRoles), sso: chance(50), expires: owner ? nil : ending(&self)))
        }
        var self2 = self
        func binding() -> ModelOrg.Binding {
            let app: String? = apps.isEmpty || self2.chance(40) ? nil : self2.pick(apps).name
            return .init(role: app == nil ? self2.pick(self2.orgRoles) : self2.pick(self2.appRoles), app: app, expires: ending(&self2))
        }
        var teams: [ModelOrg.Team] = []
        for t in 0..<Int(self2.rng.next() % 3) {
            let who = members.filter { _ in self2.chance(50) }.map { (email: $0.email, expires: self2.chance(30) ? ending(&self2) : nil) }
            var roles: [ModelOrg.Binding] = []
            for _ in 0..<Int(self2.rng.next() % 3) { let b = binding(); if !roles.contains(where: { $0.role == b.role && $0.app == b.app }) { roles.append(b) } }
            teams.append(.init(name: "t\(t)", members: who, roles: roles, asGrants: self2.chance(30)))
        }
        var grants: [(member: String, binding: ModelOrg.Binding)] = []
        for member in members where !(catalog == .launchdarkly && member.role == "owner") {
            for _ in 0..<Int(self2.rng.next() % 3) {
                let b = binding()
                let key = member.email.lowercased()
                if !grants.contains(where: { $0.member.lowercased() == key && $0.binding.role == b.role && $0.binding.app == b.app }) {
                    grants.append((self2.chance(30) ? member.email.uppercased() : member.email, b))
                }
            }
        }
        self = self2
        let org = ModelOrg(catalog: catalog, zone: pivot.zone, apps: apps, customOrg: ["corg": ["x.read", "x.write"]],
                           customApp: ["capp": ["y.read"], "capp2": ["y.read", "y.write"]], members: members, teams: teams, grants: grants)
        return (org, now)
    }

    static func text(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func yaml(_ e: ModelOrg.Ending?) -> String {
        switch e {
        case nil: return ""
        case let .day(y, m, d)?:
            // Day 0 or past the month's end are normalised by the calendar, as the model reads them.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 0)!
            let c = calendar.dateComponents([.year, .month, .day], from: calendar.date(from: DateComponents(year: y, month: m, day: d, hour: 12))!)
            return String(format: ", expires: %04d-%02d-%02d", c.year!, c.month!, c.day!)
        case let .instant(date)?: return ", expires: \"\(text(date))\""
        }
    }

    static func binding(_ b: ModelOrg.Binding) -> String {
        "role: \(b.role)" + (b.app.map { ", app: \($0)" } ?? "") + yaml(b.expires)
    }

    /// The org as manifests, split over two files.
    static func yaml(_ org: ModelOrg) -> [(String, String)] {
        var a = "org: acme\nsettings: {catalog: \(org.catalog.rawValue), timezone: \(org.zone)"
            + (org.catalog == .rudderstack ? ", plan: enterprise}\n" : "}\n")
        a += "apps:\n" + org.apps.map { "  - {name: \($0.name), visibility: \($0.isPublic ? "public" : "private")}\n" }.joined()
        a += "roles:\n" + org.customOrg.keys.sorted().map { "  - {name: \($0), scope: org, permissions: [\(org.customOrg[$0]!.joined(separator: ", "))]}\n" }.joined()
            + org.customApp.keys.sorted().map { "  - {name: \($0), scope: app, permissions: [\(org.customApp[$0]!.joined(separator: ", "))]}\n" }.joined()
        var b = "org: acme\nmembers:\n" + org.members.map { "  - {email: \($0.email), role: \($0.role), sso: \($0.sso)\(yaml($0.expires))}\n" }.joined()
        var teamGrants: [String] = []
        b += org.teams.isEmpty ? "" : "teams:\n"
        for t in org.teams {
            b += "  - name: \(t.name)\n    members:\n" + t.members.map { "      - {email: \($0.email)\(yaml($0.expires))}\n" }.joined()
            if t.asGrants { teamGrants += t.roles.map { "  - {team: \(t.name), \(binding($0))}\n" } } else {
                b += "    roles:\n" + t.roles.map { "      - {\(binding($0))}\n" }.joined()
            }
        }
        b += "grants:\n" + org.grants.map { "  - {member: \($0.member), \(binding($0.binding))}\n" }.joined() + teamGrants.joined()
        return [("a.yaml", a), ("b.yaml", b)]
    }
}
