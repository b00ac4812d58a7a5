import Foundation
import Testing
@testable import RolecallKit

/// The comment of a first import of 5,000 changes stays under GitHub's 65,536 characters: the largest
/// sections lose their last entries and a closing note says what was cut and where the whole plan is.
/// The manifests are generated here; the comment is a golden (`Tests/Fixtures/comment/large.md`;
/// ROLECALL_UPDATE_GOLDEN=1 rewrites it).
@Suite("Large pull-request comment")
struct LargeCommentTests {
    /// 1 settings, 9 apps, 10 teams with a team role each, and 1,243 members with a team membership and
    /// two grants each: 5,002 changes. Every fifth member is an external contractor with an expiry,
    /// every seventh is invited by e-mail (their app roles wait for acceptance).
    static func manifest() -> String {
        var out = """
            org: big
            settings: {catalog: logrocket, timezone: America/New_York, policy: {internal_domains: [big.example]}}
            apps:

            """
        for app in 0..<9 { out += "  - {name: app\(app)}\n" }
        out += "members:\n"
        let members = 1_243
        func email(_ i: Int) -> String { i % 5 == 4 ? "contractor\(i)@agency.example" : "person\(i)@big.example" }
        for i in 0..<members {
            let expiry = i % 5 == 4 ? ", expires: 2027-0\(1 + i % 6)-15, ticket: IAM-\(i)" : ""
            out += "  - {email: \(email(i)), role: member, sso: \(i % 7 == 0 ? "false" : "true")\(expiry)}\n"
        }
        out += "teams:\n"
        for team in 0..<10 {
            let list = stride(from: team, to: members, by: 10).map(email).joined(separator: ", ")
            out += "  - {name: team\(team), members: [\(list)], roles: [{role: viewer, app: app\(team % 9)}]}\n"
        }
        out += "grants:\n"
        for i in 0..<members {
            out += "  - {member: \(email(i)), role: admin, app: app\(i % 9), ticket: IAM-\(i), reason: Owns service \(i)}\n"
            out += "  - {member: \(email(i)), role: member, app: app\((i + 4) % 9), expires: 2027-03-31}\n"
        }
        return out
    }

    @Test func aFiveThousandChangePlanStaysUnderTheLimit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.manifest().write(to: folder.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        let planned = Workflow.plan(manifests: folder.path, store: store, options: PlanOptions(now: fixedNow))
        let plan = try #require(planned.plan, "\(planned.diagnostics.prefix(3))")
        #expect(plan.changes.count >= 5_000)
        var renderer = PlanRenderer(format: .markdown)
        renderer.label = "0123456789abcdef0123456789abcdef01234567"
        let markdown = renderer.render(plan).replacingOccurrences(of: folder.path + "/", with: "")
        #expect(markdown.count < 65_536)
        #expect(markdown.utf8.count < 65_536)
        #expect(markdown.hasPrefix("<!-- rolecall:plan -->\n### rolecall plan for commit `0123456789ab`\n"))
        // What was cut is said, section by section, and where the whole plan is.
        #expect(markdown.contains("> Not shown here (the comment stays under GitHub's 65,536 characters): "))
        #expect(markdown.contains("of 5,002 resource changes in big"))
        #expect(markdown.contains("job summary and its `rolecall-plan` artifact"))
        // Every section still opens and closes.
        #expect(markdown.components(separatedBy: "<details>").count == markdown.components(separatedBy: "</details>").count)

        let golden = Paths.fixtures.appendingPathComponent("comment/large.md")
        if ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try markdown.write(to: golden, atomically: true, encoding: .utf8)
        } else {
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(markdown == expected, "comment/large.md differs; run with ROLECALL_UPDATE_GOLDEN=1 and review the diff")
        }
    }
}
