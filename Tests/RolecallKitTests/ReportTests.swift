import Foundation
import Testing
@testable import RolecallKit

/// The access review report over the keys-reviews plan fixture (manifests and state) and an audit log.
@Suite("Access review report")
struct ReportTests {
    static let plan = Paths.fixtures.appendingPathComponent("plan/keys-reviews")
    static let folder = Paths.fixtures.appendingPathComponent("report")

    static func request(_ format: ReportFormat) -> ReportRequest {
        var request = ReportRequest()
        request.folder = plan.appendingPathComponent("manifests").path
        request.state = FileStateStore(path: plan.appendingPathComponent("state.json").path)
        request.auditPath = folder.appendingPathComponent("audit.jsonl").path
        request.format = format
        request.now = fixedNow
        return request
    }

    /// The output with the fixture folders' paths made relative, as the golden file holds them.
    static func render(_ format: ReportFormat) throws -> String {
        let result = Commands.report(request(format))
        try #require(result.exitCode == 0, "\(result.diagnostics)")
        return result.output.replacingOccurrences(of: Paths.fixtures.path + "/", with: "")
    }

    @Test func markdownMatchesTheGoldenFile() throws {
        let actual = try Self.render(.markdown)
        let url = Self.folder.appendingPathComponent("expected.md")
        if ProcessInfo.processInfo.environment["ROLECALL_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        } else {
            #expect(actual == (try String(contentsOf: url, encoding: .utf8)),
                    "report/expected.md differs; run with ROLECALL_UPDATE_GOLDEN=1 and review the diff")
        }
    }

    @Test func theReportSaysWhatAReviewNeeds() throws {
        let report = AccessReport(manifest: try #require(validate([
            ("m.yaml", try String(contentsOf: Self.plan.appendingPathComponent("manifests/acme.yaml"), encoding: .utf8)),
        ]).manifest), resources: try #require(try FileStateStore(path: Self.plan.appendingPathComponent("state.json").path).read()).resources,
                                  source: "state", history: try AuditHistory.read(path: Self.folder.appendingPathComponent("audit.jsonl").path),
                                  auditSource: "audit.jsonl", now: fixedNow)
        let org = try #require(report.orgs.first)
        let contractor = try #require(org.rows.first { $0.email == "contractor@agency.io" })
        #expect(contractor.cells.map(\.role) == ["member", "admin", nil])
        #expect(contractor.cells[1].how == ["grant"])
        #expect(org.rows.first { $0.email == "owner@acme.com" }?.cells[1].how == ["org role owner"])
        #expect(org.overdueReviews.map(\.id.key) == ["contractor@agency.io"])
        #expect(org.keys.filter { $0.isDue(at: fixedNow) }.map(\.name) == ["source-maps-production"])
        #expect(org.timeline.contains { $0.kind == .review && $0.what.contains("owner@acme.com") })
        #expect(org.timeline.contains { $0.kind == .expiry && $0.what.contains("source-maps-production") })
        #expect(report.recentChanges.first?.actor == "jane")
    }

    @Test func theHTMLIsOneSelfContainedFileWithEverySection() throws {
        let html = try Self.render(.html)
        for section in ["matrix", "heatmap", "externals", "pending", "expiring", "overdue-reviews", "api-keys", "timeline"] {
            #expect(html.contains("<section id=\"\(section)-acme\" class=\"\(section)\">"), "section \(section)")
        }
        #expect(html.contains("<section id=\"recent-changes\">"))
        #expect(html.contains("<svg") && html.contains("class=\"heatmap\"") && html.contains("class=\"timeline\""))
        for outside in ["<script", "<link", "<img", "src=", "@import", "url("] {
            #expect(!html.contains(outside), "the report must not load \(outside)")
        }
    }

    @Test func whatAManifestSaysIsEscapedInHTML() throws {
        let text = """
            org: acme
            settings: {catalog: logrocket}
            apps: [{name: production}]
            members: [{email: owner@acme.com, role: owner, sso: true}]
            api_keys: [{name: k, app: production, access: read, owner: owner@acme.com, ticket: "<script>alert(1)</script>"}]

            """
        let manifest = try #require(validate(text).manifest)
        let report = AccessReport(manifest: manifest, resources: ResourceTable(DesiredState(manifest, now: fixedNow).resources),
                                  source: "m", history: nil, auditSource: nil, now: fixedNow)
        let html = ReportHTML().render(report)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
    }
}
