import Foundation
import Synchronization
import Testing
@testable import RolecallKit

/// A scratch folder, removed afterwards.
private final class CommandScratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-commands-\(UUID().uuidString)")

    init(_ files: [String: String]) throws {
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

private let manifest = """
    org: acme
    settings: {catalog: logrocket}
    apps: [{name: production}]
    members:
      - {email: owner@acme.com, role: owner}
      - {email: jane@acme.com, role: member}

    """

@Suite("commands")
struct CommandsTests {
    @Test func nowTakesATimestampOrADate() {
        #expect(parseInstantOrDate("2026-11-23") == Date(timeIntervalSince1970: 1_795_392_000))
        #expect(parseInstantOrDate("2026-11-23T12:00:00Z") == Date(timeIntervalSince1970: 1_795_392_000 + 43_200))
        #expect(parseInstantOrDate("2026-11-23T12:00:00+01:00") == Date(timeIntervalSince1970: 1_795_392_000 + 39_600))
        #expect(parseInstantOrDate("2026-02-30") == nil)
        #expect(parseInstantOrDate("yesterday") == nil)
    }

    @Test func excludedFilesAndFoldersAreLeftOut() throws {
        let scratch = try CommandScratch(["a.yaml": "org: a\n", "docker-compose.yml": "x: 1\n", "vendor/b.yaml": "x: 1\n",
                                   "deep/c/compose.yaml": "x: 1\n"])
        let root = scratch.url.path
        #expect(ManifestFiles.find(in: root).paths.count == 4)
        let kept = ManifestFiles.find(in: root, exclude: ["docker-compose.yml", "vendor", "*compose*"])
        #expect(kept.paths == [root + "/a.yaml"])
        #expect(kept.diagnostics.isEmpty)
        // A pattern matches the whole relative path: `compose.yaml` alone does not reach deep/c/.
        #expect(ManifestFiles.find(in: root, exclude: ["compose.yaml"]).paths.count == 4)
        // Everything excluded is the usual "no manifest files" error.
        #expect(ManifestFiles.find(in: root, exclude: ["*"]).diagnostics.count == 1)
    }

    @Test func githubAnnotationsStopAtTenPerKind() {
        let errors = (1...12).map { Diagnostic.error(.unknownRole, "bad \($0)", at: SourceLocation(file: "m.yaml", line: $0, column: 1)) }
        let warnings = (1...3).map { Diagnostic.warning(.expired, "odd \($0)", at: nil) }
        let out = PlanReportRenderer(format: .github).render(PlanReport(plan: nil, diagnostics: errors + warnings))
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("::error") }.count == 10)
        #expect(lines.filter { $0.hasPrefix("::warning::odd") }.count == 3)
        #expect(lines.contains("::error::… and 3 more errors, not annotated: listed in the log"))
        #expect(lines.filter { $0.hasPrefix("m.yaml:") }.count == 3)
        #expect(lines.last == "Plan failed: 12 errors, 3 warnings.")
    }

    @Test func failedPlanMarkdownStaysUnderTheCommentLimit() {
        let long = String(repeating: "x", count: 900)
        let diagnostics = (1...1_000).map { Diagnostic.error(.unknownRole, long, at: SourceLocation(file: "m.yaml", line: $0, column: 1)) }
        let out = PlanReportRenderer(format: .markdown).render(PlanReport(plan: nil, diagnostics: diagnostics))
        #expect(out.utf8.count < 65_000)
        #expect(out.hasPrefix("<!-- rolecall:plan -->\n### rolecall plan\n\n**Plan failed: 1000 errors, 0 warnings.**"))
        #expect(out.contains("more problems not shown here"))
    }

    @Test func accessRefusesNamesThatExistNowhere() throws {
        let scratch = try CommandScratch(["m.yaml": manifest])
        var request = AccessRequest()
        request.folder = scratch.url.path
        request.now = fixedNow
        request.app = "prodution"
        request.permission = "sesions.view"
        let result = Commands.access(request)
        #expect(result.exitCode == 1)
        #expect(result.output == "")
        #expect(result.diagnostics.map { $0.message } == ["no app 'prodution' here (did you mean 'production'?)",
                                                      "no permission 'sesions.view' here (did you mean 'sessions.view'?)"])
        request.app = "production"
        request.permission = nil
        request.role = "viewer"
        #expect(Commands.access(request).exitCode == 0)
        request.app = nil
        // Alone, --role asks about org roles: `viewer` is an app role only.
        #expect(Commands.access(request).diagnostics.first?.message == "no org role 'viewer' here")
    }

    @Test func applyAsksThroughItsHooksAndWritesNothingWhenDeclined() async throws {
        let scratch = try CommandScratch(["m/acme.yaml": manifest])
        let backend = FileStateBackend(path: scratch.path("state.json"))
        var request = ApplyRequest(backend: backend, options: PlanOptions(now: fixedNow), auditPath: scratch.path("audit.jsonl"))
        request.source = scratch.path("m")
        let shown = Shown()
        let declined = await Commands.apply(request, hooks: ApplyHooks(show: { shown.add($0) }, confirm: { false }))
        #expect(declined.exitCode == 1)
        #expect(declined.output == "Apply cancelled.\n")
        #expect(shown.texts.first?.contains("Plan: 4 to add") == true)
        let nobody = await Commands.apply(request, hooks: ApplyHooks(show: { _ in }, confirm: { nil }))
        #expect(nobody.exitCode == 1)
        #expect(nobody.diagnostics.map { $0.message } == ["refusing to apply without a terminal to confirm on; pass --auto-approve"])
        #expect(try backend.read() == nil)
        let accepted = await Commands.apply(request, hooks: ApplyHooks(show: { _ in }, confirm: { true }))
        #expect(accepted.exitCode == 0)
        #expect(accepted.output == "Apply complete: 4 changes applied; state serial 1.\n")
        // The lock was released: a second run takes it and finds nothing to do, without asking.
        let again = await Commands.apply(request, hooks: ApplyHooks(show: { _ in }, confirm: { Issue.record("asked"); return false }))
        #expect(again.exitCode == 0)
        #expect(again.output == "")
    }
}

/// What an apply showed, collected from its `show` hook.
private final class Shown: Sendable {
    private let collected = Mutex<[String]>([])

    func add(_ text: String) { collected.withLock { $0.append(text) } }
    var texts: [String] { collected.withLock { $0 } }
}
