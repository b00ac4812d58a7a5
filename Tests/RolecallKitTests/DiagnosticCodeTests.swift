import Foundation
import Testing
@testable import RolecallKit

/// The list of diagnostic codes: well formed, unique, in the range of their stage, and the same as the
/// table README.md shows (ROLECALL_UPDATE_GOLDEN=1 rewrites that table from the list).
@Suite("Diagnostic codes")
struct DiagnosticCodeTests {
    static let readme = Paths.packageRoot.appendingPathComponent("README.md")
    static let begin = "<!-- diagnostic-codes:begin -->\n"
    static let end = "<!-- diagnostic-codes:end -->"

    /// The README table as the code list says it must be.
    static var table: String {
        "| Code | Name | Severity | Meaning |\n|---|---|---|---|\n"
            + DiagnosticCode.allCases.map { "| \($0.id) | \($0.name) | \($0.severity.rawValue) | \($0.summary) |\n" }.joined()
    }

    @Test func everyCodeIsWellFormedAndUnique() {
        let all = DiagnosticCode.allCases
        for code in all {
            #expect(code.rawValue.wholeMatch(of: /RC[1-9]\d{3} (error|warning): \S.*/) != nil, "\(code.rawValue)")
            #expect(code.name.wholeMatch(of: /[a-z][a-z0-9]*(-[a-z0-9]+)*/) != nil, "\(code.name)")
            #expect(!code.summary.contains("|"), "\(code.id): a summary is a table cell")
        }
        #expect(Set(all.map(\.number)).count == all.count, "two cases share a number")
        #expect(Set(all.map(\.name)).count == all.count, "two cases share a name")
        #expect(all.map(\.number) == all.map(\.number).sorted(), "cases are listed in number order")
    }

    @Test func namesAreKebabCaseOfTheCaseName() {
        #expect(DiagnosticCode.unknownRole.label == "RC3101 unknown-role")
        #expect(DiagnosticCode.nonUTF8FileName.name == "non-utf8-file-name")
        #expect(DiagnosticCode.notAMapping.name == "not-a-mapping")
        #expect(DiagnosticCode.invalidYAML.name == "invalid-yaml")
        #expect(DiagnosticCode.invalidInvitationTTL.name == "invalid-invitation-ttl")
        #expect(DiagnosticCode.timeZoneLink.severity == .warning)
        #expect(DiagnosticCode.unknownRole.severity == .error)
    }

    @Test func codesLieInTheirStagesRange() {
        let stage: [DiagnosticCode: Int] = [
            .noSuchPath: 1, .invalidYAML: 1, .unknownKey: 2, .invalidEmail: 2, .unknownRole: 3, .expired: 3,
            .stateLocked: 4, .removalLimit: 5, .stalePlan: 6, .needsTerminal: 9,
        ]
        for (code, thousands) in stage { #expect(code.number / 1000 == thousands, "\(code.id)") }
    }

    @Test func encodesAsItsID() throws {
        let d = Diagnostic.error(.unknownRole, "unknown role 'x'", at: nil)
        let data = try JSONEncoder().encode(d)
        #expect(String(decoding: data, as: UTF8.self).contains("\"code\":\"RC3101\""))
        #expect(try JSONDecoder().decode(Diagnostic.self, from: data) == d)
    }

    @Test func readmeListsExactlyTheseCodes() throws {
        var text = try String(contentsOf: Self.readme, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "README.md lacks \(Self.begin)")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex), "README.md lacks \(Self.end)")
        if ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: Self.table)
            try text.write(to: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        let shown = String(text[start.upperBound..<stop.lowerBound])
        let listed = shown.split(separator: "\n").compactMap { $0.firstMatch(of: /^\| (RC\d{4}) \|/)?.1 }.map(String.init)
        #expect(listed == DiagnosticCode.allCases.map(\.id), "README lists other codes than DiagnosticCode")
        #expect(shown == Self.table, "README's code table differs; run with ROLECALL_UPDATE_GOLDEN=1")
    }

    @Test func textJSONAndGitHubShowTheCode() {
        let at = SourceLocation(file: "m.yaml", line: 3, column: 7)
        let d = Diagnostic.error(.unknownRole, "unknown role 'x'", at: at)
        let report = ValidationReport(LoadResult(manifest: nil, diagnostics: [d], files: ["m.yaml"]), strict: false)
        let text = DiagnosticsRenderer(format: .text).render(report)
        #expect(text.hasPrefix("m.yaml:3:7: error[RC3101 unknown-role]: "))
        let github = DiagnosticsRenderer(format: .github).render(report)
        #expect(github.hasPrefix("::error file=m.yaml,line=3,col=7,title=RC3101 unknown-role::"))
        let json = DiagnosticsRenderer(format: .json).render(report)
        #expect(json.contains("\"code\" : \"RC3101\"") || json.contains("\"code\": \"RC3101\""))
        #expect(json.contains("\"name\" : \"unknown-role\"") || json.contains("\"name\": \"unknown-role\""))
        let warning = DiagnosticsRenderer(format: .text).text([.warning(.timeZoneLink, "old name", at: nil)])
        #expect(warning == "warning[RC3403 time-zone-link]: old name\n")
    }
}
