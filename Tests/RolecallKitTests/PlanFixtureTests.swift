import Foundation
import Testing
@testable import RolecallKit

/// Golden plans: every folder in Tests/Fixtures/plan holds `manifests/`, an optional `state.json`,
/// the instant in `now`, and the exact plan in `expected.txt`, `expected.json` and `expected.md`.
/// Set ROLECALL_UPDATE_GOLDEN=1 to rewrite them.
@Suite("Golden plans")
struct PlanFixtureTests {
    static let root = Paths.fixtures.appendingPathComponent("plan")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreFixtures() { #expect(Self.cases.count >= 3) }

    @Test(arguments: cases)
    func plan(_ name: String) throws {
        let folder = Self.root.appendingPathComponent(name)
        let nowText = try String(contentsOf: folder.appendingPathComponent("now"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let now = try #require(parseTimestamp(nowText))
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        var planned = Workflow.plan(manifests: folder.appendingPathComponent("manifests").path, store: store,
                                    options: PlanOptions(now: now))
        planned.recordPolicyResults(options: PlanOptions(now: now))
        let plan = try #require(planned.plan, "\(planned.diagnostics)")
        let update = ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1"
        for (file, format) in [("expected.txt", PlanFormat.text), ("expected.json", .json), ("expected.md", .markdown)] {
            let actual = PlanRenderer(format: format).render(plan).replacingOccurrences(of: folder.path + "/", with: "")
            let url = folder.appendingPathComponent(file)
            if update {
                try actual.write(to: url, atomically: true, encoding: .utf8)
            } else {
                let expected = try String(contentsOf: url, encoding: .utf8)
                #expect(actual == expected, "\(name)/\(file) differs; run with ROLECALL_UPDATE_GOLDEN=1 and review the diff")
            }
        }
    }
}
