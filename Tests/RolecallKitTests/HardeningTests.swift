import Foundation
import Testing
@testable import RolecallKit

/// Issue 13: output injection (14, 15), hostile files (7, 8, 15) and bounded work (11, 12).
@Suite("Hardening: output, files, bounded work")
struct HardeningTests {
    /// A manifest whose user-supplied strings try to pass for rolecall's own output.
    static let hostile = """
        org: acme
        settings: {catalog: logrocket}
        apps: [{name: production}]
        members:
          - {email: owner@acme.io, role: owner}
          - email: eve@acme.io
            role: member
            ticket: "IAM-1\\e[2J\\e[31m\\rPlan: 0 to add\\0"
            reason: "ok</details>\\n\\n## No changes. Safe to merge\\n\\n**No changes.**\\u202Eevil\\n<details open>"
        grants:
          - member: eve@acme.io
            role: admin
            app: production
            ticket: "[click](https://evil.example) *bold* `code` | cell"
            reason: "# Heading\\n- item\\r\\n> quote <!-- hidden -->"
        """

    static let raw: [Unicode.Scalar] = ["\u{1B}", "\r", "\0", "\u{202E}"]

    private func hostilePlan() throws -> Plan {
        let manifest = try #require(validate(Self.hostile).manifest)
        return Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: State(), options: PlanOptions(now: fixedNow)).0
    }

    @Test func hardening14_textEscapesControlCharacters() throws {
        let plan = try hostilePlan()
        let text = PlanRenderer(format: .text).render(plan)
        #expect(!text.unicodeScalars.contains { Self.raw.contains($0) })
        #expect(text.contains(#"IAM-1\u{1B}[2J\u{1B}[31m\rPlan: 0 to add\0"#))
        // Every line is rolecall's: no user string starts a line of its own.
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("## ") || $0.hasPrefix("**No changes") })
        let people = EffectiveAccess.compute(DesiredState(try #require(validate(Self.hostile).manifest), now: fixedNow).resources,
                                             now: fixedNow)
        for format in [AccessFormat.text, .markdown] {
            let access = AccessRenderer(format: format).render(people, query: .matrix)
            #expect(!access.unicodeScalars.contains { Self.raw.contains($0) })
        }
    }

    @Test func hardening14_markdownInjection() throws {
        let markdown = PlanRenderer(format: .markdown).render(try hostilePlan())
        #expect(!markdown.unicodeScalars.contains { Self.raw.contains($0) })
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        // rolecall's own blocks only: one summary line, one <details> per org, its own headings.
        #expect(lines.filter { $0.hasPrefix("**") } == ["**Plan: 5 to add, 0 to change, 0 to remove.** State serial 0, expiries evaluated at `2026-11-23T12:00:00Z`."])
        #expect(lines.filter { $0.hasPrefix("<details") || $0.hasPrefix("</details") } == ["<details>", "</details>"])
        let headings = ["### rolecall plan", "#### Notices", "#### Who gains or loses access", "#### Policies"]
        #expect(lines.filter { $0.hasPrefix("#") }.allSatisfy { headings.contains(String($0)) })
        // In the rows and list items that hold user strings, outside code spans (where GitHub shows every
        // character as written), no markup opens: no unescaped `<`, `**` or `](`.
        let prose = lines.filter { $0.hasPrefix("|") || $0.hasPrefix("- ") || $0.hasPrefix("  - ") || $0.hasPrefix("> - ") }
            .joined(separator: "\n")
            .replacingOccurrences(of: "(?m)^- \\*\\*`[^`]*`\\*\\*( · \\*\\*external\\*\\*)?|<span title=\"[^\"<>]*\">|</span>",
                                  with: "", options: .regularExpression)  // rolecall's own: a person, an expiry
            .replacingOccurrences(of: "`[^`]*`|<br>|→ \\*\\*[^*]+\\*\\*", with: "", options: .regularExpression)  // rolecall's own
        for markup in [#"(^|[^\\])<"#, #"(^|[^\\])\*\*"#, #"(^|[^\\])\]\("#] {
            #expect(prose.range(of: markup, options: .regularExpression) == nil, "\(markup) outside a code span")
        }
        let people = EffectiveAccess.compute(DesiredState(try #require(validate(Self.hostile).manifest), now: fixedNow).resources,
                                             now: fixedNow)
        let access = AccessRenderer(format: .markdown).render(people, query: .matrix)
        #expect(access.contains(#"\[click\](https://evil.example) \*bold\* \`code\` \| cell"#))
        // A notice is a list item: a leading block marker in it is escaped too.
        #expect(Escape.markdown("# Safe to merge", blockStart: true) == ##"\# Safe to merge"##)
        #expect(Escape.markdown("1. first", blockStart: true) == #"1\. first"#)
        #expect(Escape.markdown("snake_case _emphasis_") == #"snake_case \_emphasis\_"#)
        #expect(Escape.html("a</b><script>&") == "a&lt;/b&gt;&lt;script&gt;&amp;")
    }

    @Test func hardening14_githubAnnotationsEscapeProperties() {
        let result = ManifestLoader(now: fixedNow).validate(files: [
            (path: "odd:name,100%\n.yaml", bytes: Array("org: acme\nsettings: {catalog: logrocket}\nbogus: \"x\\e[1m\"\n".utf8)),
        ])
        let github = DiagnosticsRenderer(format: .github).render(ValidationReport(result, strict: false))
        let lines = github.split(separator: "\n")
        #expect(lines.count == result.diagnostics.count + 1)
        #expect(lines.first?.hasPrefix("::error file=odd%3Aname%2C100%25%0A.yaml,line=3,col=1,title=RC2009 unknown-key::") == true)
        #expect(!github.unicodeScalars.contains { Self.raw.contains($0) })
    }

    @Test func hardening15_nulEscapeIsNeverPrintedRaw() {
        let result = validate("org: acme\nsettings: {catalog: logrocket}\nmembers:\n  - {email: a@acme.io, role: \"ad\\0min\"}\n")
        #expect(result.diagnostics.contains { $0.message.contains("\0") })
        for format in OutputFormat.allCases {
            let out = DiagnosticsRenderer(format: format).render(ValidationReport(result, strict: false))
            #expect(!out.utf8.contains(0), "raw NUL in \(format) output")
        }
        #expect(DiagnosticsRenderer(format: .text).render(ValidationReport(result, strict: false)).contains(#"ad\0min"#))
    }

    @Test func hardening15_nonUTF8FileNameIsNamed() throws {
        let dir = try TempFolder()
        try dir.write("good.yaml", "org: acme\nsettings: {catalog: logrocket}\n")
        let name: [UInt8] = [0x62, 0xFF, 0x2E, 0x79, 0x61, 0x6D, 0x6C]  // "b\xFF.yaml"
        let fd = (dir.path + "/").utf8CString.dropLast().withUnsafeBufferPointer { prefix -> Int32 in
            let path = Array(prefix) + name.map { CChar(bitPattern: $0) } + [0]
            return open(path, O_CREAT | O_WRONLY, 0o600)
        }
        try #require(fd >= 0, "this file system refuses non-UTF-8 names")
        close(fd)
        let found = ManifestFiles.find(in: dir.path)
        #expect(found.paths == [dir.path + "/good.yaml"])
        #expect(found.diagnostics.map(\.code) == [.nonUTF8FileName])
        #expect(found.diagnostics.map(\.message) == [
            "cannot read \(dir.path)/b\\xFF.yaml: its name is not valid UTF-8; rename it",
        ])
    }

    @Test(.timeLimit(.minutes(1))) func hardening7_devZeroAndFIFOFailFast() throws {
        let dir = try TempFolder()
        try dir.write("good.yaml", "org: acme\nsettings: {catalog: logrocket}\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/x.yaml", withDestinationPath: "/dev/zero")
        try #require(mkfifo(dir.path + "/y.yaml", 0o600) == 0)
        var loader = ManifestLoader(now: fixedNow)
        loader.reading.followSymlinks = true  // item 8 would refuse the link before it is read
        let result = loader.load(dir.path)
        #expect(result.manifest == nil)
        #expect(result.diagnostics.map(\.code) == [.unreadableFile, .unreadableFile])
        #expect(result.diagnostics.map { "\($0.location?.file ?? ""): \($0.message)" } == [
            "\(dir.path)/x.yaml: cannot read file: it is a character device, not a regular file",
            "\(dir.path)/y.yaml: cannot read file: it is a FIFO (named pipe), not a regular file",
        ])
        // A state file that is a FIFO is refused too, at once.
        guard case let .failure(state) = readFile(dir.path + "/y.yaml") else {
            Issue.record("a FIFO was read")
            return
        }
        #expect(state.reason.contains("FIFO"))
    }

    @Test func hardening7_sizeLimitNamesTheFile() throws {
        let dir = try TempFolder()
        try dir.write("big.yaml", "org: acme\nsettings: {catalog: logrocket}\n# " + String(repeating: "x", count: 200) + "\n")
        var loader = ManifestLoader(now: fixedNow)
        loader.reading.maxFileSize = 100
        let result = loader.load(dir.path)
        #expect(result.diagnostics.map(\.code) == [.unreadableFile])
        #expect(result.diagnostics.map(\.message) == ["cannot read file: it is larger than 100 bytes, the limit (see --max-file-size)"])
        #expect(result.diagnostics.first?.location?.file == dir.path + "/big.yaml")
        loader.reading.maxFileSize = 1_000
        #expect(loader.load(dir.path).diagnostics.isEmpty)
    }

    @Test func hardening8_symlinkLeavingTheFolderIsRefused() throws {
        let outside = try TempFolder()
        try outside.write("secret.yaml", "org: secret\nsettings: {catalog: logrocket}\n")
        let dir = try TempFolder()
        try dir.write("shared/acme.txt", "org: acme\nsettings: {catalog: logrocket}\n")
        // Inside the folder: followed.
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/acme.yaml", withDestinationPath: "shared/acme.txt")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/leak.yaml", withDestinationPath: outside.path + "/secret.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/elsewhere", withDestinationPath: outside.path)
        let found = ManifestFiles.find(in: dir.path)
        #expect(found.paths == [dir.path + "/acme.yaml"])
        #expect(found.diagnostics.map(\.code) == [.symlinkOutside, .symlinkOutside])
        #expect(found.diagnostics.map(\.message) == [
            "\(dir.path)/elsewhere is a symbolic link that leads outside the manifest folder; not followed (--follow-symlinks allows it)",
            "\(dir.path)/leak.yaml is a symbolic link that leads outside the manifest folder; not followed (--follow-symlinks allows it)",
        ])
        let followed = ManifestFiles.find(in: dir.path, followSymlinks: true)
        #expect(followed.diagnostics.isEmpty)
        #expect(followed.paths == ["acme.yaml", "elsewhere/secret.yaml", "leak.yaml"].map { dir.path + "/" + $0 })
    }

    @Test func hardening11_didYouMeanIsBounded() {
        // 5,000 names alike in length and first letter: one question computes at most `compared` distances.
        let names = (0..<5_000).map { "user\($0 + 10_000)@acme.io" }
        let index = Suggestions(names)
        #expect(index.closest(to: "usr10001@acme.io") == "user10001@acme.io")
        #expect(index.closest(to: "usr13777@acme.io") == "user13777@acme.io")  // found by its end
        #expect(index.closest(to: "user13777@acme.i") == "user13777@acme.io")  // found by its start
        #expect(index.computed <= 3 * Suggestions.compared)
        // A first letter wrong, missing, added or swapped is found by look-up, however many names there are.
        #expect(index.closest(to: "xser14999@acme.io") == "user14999@acme.io")
        #expect(index.closest(to: "ser14999@acme.io") == "user14999@acme.io")
        #expect(index.closest(to: "auser14999@acme.io") == "user14999@acme.io")
        #expect(index.closest(to: "suer14999@acme.io") == "user14999@acme.io")
        #expect(index.computed <= 7 * Suggestions.compared)
        // Same answers as the full distance on small lists.
        #expect(Suggest.closest(to: "emial", among: ["email", "name", "role"]) == "email")
        #expect(Suggest.closest(to: "zed@acme.com", among: ["bob@acme.com"]) == nil)
        #expect(Suggestions.distance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars), within: 2) == nil)
        #expect(Suggestions.distance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars), within: 3) == 3)
    }

    @Test func hardening12_diagnosticsAreBounded() {
        // 1,200 unknown keys of 10 KB and one of 60 KB: each quoted clipped, 1,000 listed, the rest counted.
        var text = "org: acme\nsettings: {catalog: logrocket}\n"
        // Explicit keys (`? key`): libyaml refuses a plain key over 1,024 characters.
        for i in 0..<1_200 { text += "? k\(i)" + String(repeating: "x", count: 10_000) + "\n: 1\n" }
        text += "? " + String(repeating: "y", count: 60_000) + "\n: 1\n"
        let result = validate(text)
        #expect(result.diagnostics.count == DiagnosticSink.limit)
        #expect(result.omitted == OmittedDiagnostics(errors: 201))
        #expect(result.diagnostics.allSatisfy { $0.message.count < 300 })
        let report = ValidationReport(result, strict: false)
        let lines = DiagnosticsRenderer(format: .text).render(report).split(separator: "\n")
        #expect(lines.suffix(2) == ["… and 201 more (201 errors, 0 warnings) not shown", "Invalid: 1201 errors, 0 warnings."])
        #expect(DiagnosticsRenderer(format: .json).render(report).contains(#""omitted": {"#))
        #expect(DiagnosticsRenderer(format: .github).render(report).contains("::error::… and 201 more"))
        // Thousands of documents with the same problem: bounded the same way.
        let documents = validate(String(repeating: "--- {}\n", count: 20_000))
        #expect(documents.diagnostics.count == DiagnosticSink.limit)
        #expect(documents.omitted.errors == 19_000)
    }
}

/// A temporary folder, removed when the value goes away.
final class TempFolder {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = Manifest.realPathForTests(url.path)
    }

    func write(_ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension Manifest {
    static func realPathForTests(_ path: String) -> String { ManifestFiles.realPath(path) ?? path }
}
