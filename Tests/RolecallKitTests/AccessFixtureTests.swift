import Foundation
import Testing
@testable import RolecallKit

/// Golden answers of `rolecall access` on the examples, in every format.
/// Set ROLECALL_UPDATE_GOLDEN=1 to rewrite them.
@Suite("Golden access answers")
struct AccessFixtureTests {
    static let root = Paths.fixtures.appendingPathComponent("access")

    static let cases: [(name: String, example: String, query: AccessQuery)] = [
        ("logrocket-collaborator", "logrocket", .person(email: "Jordan.Reyes@pixelforge.io")),
        ("logrocket-production-admins", "logrocket", .who(app: "production", role: "admin", permission: nil)),
        ("logfire-matrix", "logfire", .matrix),
        ("rudderstack-sources-delete", "rudderstack", .who(app: nil, role: nil, permission: "sources.delete")),
        ("launchdarkly-matrix", "launchdarkly", .matrix),
    ]

    @Test(arguments: cases.map(\.name))
    func answer(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let loaded = ManifestLoader(now: fixedNow).load(Paths.examples.appendingPathComponent(entry.example).path)
        let manifest = try #require(loaded.manifest)
        let people = AccessRenderer.select(EffectiveAccess.compute(DesiredState(manifest, now: fixedNow).resources, now: fixedNow),
                                           entry.query)
        #expect(!people.isEmpty)
        let update = ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1"
        for format in AccessFormat.allCases {
            let url = Self.root.appendingPathComponent("\(name).\(format == .markdown ? "md" : format.rawValue)")
            let actual = AccessRenderer(format: format).render(people, query: entry.query)
            if update {
                try FileManager.default.createDirectory(at: Self.root, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
            } else {
                #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "\(url.lastPathComponent) differs")
            }
        }
    }
}
