import Foundation
import Testing
@testable import RolecallKit

/// `DesiredState` builds each org in four parts at once, each writing straight into its own stretch
/// of one buffer (`EntryBuffer`, `@unchecked Sendable`: a part writes only its own stretch, and every
/// part is joined before the buffer is read). These tests check that invariant from the outside: no
/// part writes over another's stretch or leaves a hole, for parts of very different sizes.
@Suite("desired state parts")
struct DesiredStatePartsTests {
    /// An org whose four parts differ in size: `members` members (two parts), `teams` teams of three,
    /// at most one grant per member and one API key.
    static func org(_ name: String, members: Int, teams: Int, grants: Int) -> String {
        var text = "org: \(name)\nsettings: {catalog: logrocket}\napps: [{name: production}]\nmembers:\n"
        for m in 0..<members { text += "  - {email: u\(m)@\(name).com, role: \(m == 0 ? "owner" : "member")}\n" }
        if teams > 0 {
            text += "teams:\n"
            for t in 0..<teams {
                let ms = (0..<3).map { "u\((t + $0) % max(members, 1))@\(name).com" }
                text += "  - {name: team-\(t), members: [\(Array(Set(ms)).sorted().joined(separator: ", "))]}\n"
            }
        }
        if grants > 0 {
            text += "grants:\n"
            for g in 0..<min(grants, members) { text += "  - {member: u\(g % max(members, 1))@\(name).com, role: viewer, app: production, expires: 2027-0\(1 + g % 9)-01}\n" }
        }
        text += "api_keys:\n  - {name: ci, app: production, access: read, owner: u0@\(name).com, purpose: CI}\n"
        return text
    }

    static func desired(_ files: [(String, String)]) throws -> DesiredState {
        let loaded = validate(files)
        let manifest = try #require(loaded.manifest, "manifests invalid: \(lines(loaded))")
        return DesiredState(manifest, now: fixedNow)
    }

    @Test(arguments: [(1, 0, 0), (2, 0, 40), (7, 5, 1), (200, 3, 0), (400, 60, 300)])
    func everyPartLandsInItsOwnStretch(members: Int, teams: Int, grants: Int) throws {
        let text = Self.org("acme", members: members, teams: teams, grants: grants)
        let desired = try Self.desired([("m.yaml", text)])
        let ids = desired.entries.map(\.id)
        // Exactly what the manifest declares: settings, the app, members, teams, memberships, grants, a key.
        let memberships = (0..<teams).reduce(0) { sum, t in sum + Set((0..<3).map { (t + $0) % members }).count }
        let expected = 1 + 1 + members + teams + memberships + min(grants, members) + 1
        #expect(ids.count == expected)
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.filter { $0.kind == .member }.count == members)
        #expect(ids.filter { $0.kind == .teamMembership }.count == memberships)
    }

    @Test func orgsBuiltTogetherEqualEachBuiltAlone() throws {
        let shapes = [("alpha", 300, 2, 7), ("beta", 3, 40, 0), ("gamma", 1, 0, 90), ("delta", 64, 64, 64)]
        let files = shapes.map { ("\($0.0).yaml", Self.org($0.0, members: $0.1, teams: $0.2, grants: $0.3)) }
        let together = try Self.desired(files).entries
        var alone: [DesiredState.Entry] = []
        for file in files { alone += try Self.desired([file]).entries }
        #expect(together.map(\.id) == alone.map(\.id).sorted())
        #expect(Dictionary(uniqueKeysWithValues: together.map { ($0.id, $0.attributes) })
            == Dictionary(uniqueKeysWithValues: alone.map { ($0.id, $0.attributes) }))
    }
}
