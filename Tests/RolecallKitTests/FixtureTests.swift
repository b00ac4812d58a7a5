import Foundation
import Testing
@testable import RolecallKit

/// Golden fixtures: every folder in Tests/Fixtures/validate holds manifests and the exact output
/// `rolecall validate` gives for them (at the fixed instant): `expected.txt` always, and
/// `expected.json` / `expected.github` where present. Set ROLECALL_UPDATE_GOLDEN=1 to rewrite them.
@Suite("Golden fixtures")
struct FixtureTests {
    static let root = Paths.fixtures.appendingPathComponent("validate")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static let formats: [(file: String, format: OutputFormat)] = [
        ("expected.txt", .text), ("expected.json", .json), ("expected.github", .github),
    ]

    @Test func thereAreFixtures() {
        #expect(Self.cases.count >= 10)
    }

    @Test(arguments: cases)
    func fixture(_ name: String) throws {
        let folder = Self.root.appendingPathComponent(name)
        let result = ManifestLoader(now: fixedNow).load(folder.path)
        let report = ValidationReport(result, strict: false)
        let update = ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1"
        var compared = 0
        for (file, format) in Self.formats {
            let url = folder.appendingPathComponent(file)
            let exists = FileManager.default.fileExists(atPath: url.path)
            guard exists || format == .text else { continue }
            let actual = DiagnosticsRenderer(format: format).render(report)
                .replacingOccurrences(of: folder.path + "/", with: "")
            if update {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            #expect(actual == expected, "\(name)/\(file) differs; run with ROLECALL_UPDATE_GOLDEN=1 and review the diff")
            compared += 1
        }
        #expect(update || compared >= 1)
    }
}
