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
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") && $0 != "github-actions" }.sorted()
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

/// The loader decodes the items of top-level lists while a file is read, instead of reading whole
/// trees first. Both ways must give the same model and the same diagnostics, on every fixture and
/// example (the fuzz target checks the same on random input).
@Suite("Reading list items as they come")
struct StreamingDecodeTests {
    static var folders: [String] {
        let roots = [Paths.fixtures.appendingPathComponent("validate"), Paths.fixtures.appendingPathComponent("plan"), Paths.examples]
        return roots.flatMap { root in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") && $0 != "github-actions" }
                .map { root.appendingPathComponent($0).path }
        }.sorted()
    }

    @Test func thereAreFolders() {
        #expect(Self.folders.count >= 40)
    }

    @Test(arguments: folders)
    func sameAsWholeTrees(_ folder: String) {
        let loader = ManifestLoader(now: fixedNow)
        let streamed = loader.load(folder)
        let found = ManifestFiles.find(in: folder)
        var documents: [YAMLDocument] = []
        var unreadable = found.diagnostics
        for path in found.paths {
            switch loader.read(path) {
            case let .success(docs): documents += docs
            case let .failure(error): unreadable.append(error.diagnostic)
            }
        }
        if unreadable.contains(where: { $0.severity == .error }) {
            #expect(streamed.manifest == nil)
            #expect(streamed.diagnostics == unreadable.sortedForOutput())
            return
        }
        let trees = loader.validate(documents)
        #expect(streamed.diagnostics == (found.diagnostics + trees.diagnostics).sortedForOutput())
        #expect(streamed.manifest == trees.manifest)
        #expect(streamed.manifest != nil || streamed.diagnostics.hasErrors)
    }

    @Test func aListInALaterDocumentOrUnderAnUnknownKeyIsDecodedWhereItBelongs() {
        let text = """
            org: a
            members:
              - {email: x@a.com, role: member}
            memebrs:
              - {email: y@a.com, role: member}
            ---
            members:
              - {email: z@a.com, role: member}
            ---
            org: b
            grants:
              - {member: q@b.com, role: admin}
            teams:
              - name: t
                roles: [{role: viewer}]
            members:
              - {email: q@b.com, role: admin}
            """
        let streamed = validate(text)
        let trees = validateAsTrees([("m.yaml", text)])
        #expect(lines(streamed) == lines(trees))
        #expect(codes(streamed) == codes(trees))
        #expect(lines(streamed).contains { $0.contains("unknown key 'memebrs'") })
        // The document without an org is reported once, and its member is not decoded (no error of its own).
        #expect(codes(streamed).contains("7:1: RC2002 missing-key"))
        #expect(!lines(streamed).contains { $0.contains("z@a.com") })
    }
}
