import Foundation
import Testing

private let before = """
    org: acme
    settings: {catalog: logrocket, review_every: 180d}
    apps: [{name: production}, {name: staging}]
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: temp@agency.io, role: member, sso: true, ticket: IAM-7, reason: SDK rollout, reviewed: 2026-11-01}
    grants:
      - {member: temp@agency.io, role: admin, app: production, ticket: IAM-8, reason: Configure source maps}
    api_keys:
      - {name: source-maps, app: production, access: read-write, owner: temp@agency.io, rotate_every: 90d, ticket: IAM-9}

    """

/// An RFC 3339 timestamp to the millisecond.
private func instant(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
}

/// Headless Chromium (Debian's `chromium`), or nil.
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("reviews, report and access --at", .serialized)
struct ReviewCLITests {
    @Test func accessAtAnswersFromTheAuditLogWithTheTicketInForce() throws {
        // Records carry the instant each change was applied (the clock, not --now): the question is
        // asked between the two applies.
        let ws = try Workspace(["acme.yaml": before])
        #expect(try ws.run(["apply", "m", "--auto-approve"], environment: ["ROLECALL_ACTOR": "ci"]).status == 0)
        Thread.sleep(forTimeInterval: 0.05)
        let between = instant( Date().addingTimeInterval(-0.01))
        Thread.sleep(forTimeInterval: 1.1)
        // The grant moves to a new ticket.
        try ws.write("acme.yaml", before.replacingOccurrences(of: "ticket: IAM-8", with: "ticket: IAM-20"))
        #expect(try ws.run(["apply", "m", "--auto-approve"], environment: ["ROLECALL_ACTOR": "ci"]).status == 0)
        let then = try ws.run(["access", "temp@agency.io", "--at", between, "--state", "rolecall.state.json"])
        #expect(then.status == 0, "\(then.stderr)")
        #expect(then.stdout.contains("production      admin"))
        #expect(then.stdout.contains("ticket IAM-8, reason \"Configure source maps\""))
        #expect(then.stdout.contains(" by ci (added)"))
        let later = try ws.run(["access", "temp@agency.io", "--at", instant( Date().addingTimeInterval(1)),
                                "--state", "rolecall.state.json"])
        #expect(later.stdout.contains("ticket IAM-20"))
        let who = try ws.run(["access", "--app", "production", "--at", between, "--state", "rolecall.state.json"])
        #expect(who.stdout.contains("temp@agency.io") && who.stdout.contains("owner@acme.com"))
        // Before the log begins there is nothing to answer from.
        let early = try ws.run(["access", "temp@agency.io", "--at", "2026-01-01", "--state", "rolecall.state.json"])
        #expect(early.status == 1)
        #expect(early.stderr.contains("RC6014"))
    }

    @Test func theReportRendersInHeadlessChromium() throws {
        guard let chromium else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("chromium is missing in CI (.ci/run installs it)") }
            print("SKIPPED theReportRendersInHeadlessChromium: chromium is not installed (apt-get install chromium)")
            return
        }
        let ws = try Workspace(["acme.yaml": before])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let made = try ws.run(["report", "m", "--state", "rolecall.state.json", "--format", "html", "--out", "review.html"])
        #expect(made.status == 0, "\(made.stderr)")
        let html = ws.path("review.html")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=" + ws.path("chromium-profile")]
        let dom = try Binary.run(flags + ["--dump-dom", "file://" + html], in: ws.url, executable: chromium)
        #expect(dom.status == 0, "\(dom.stderr)")
        for section in ["matrix", "heatmap", "externals", "pending", "expiring", "overdue-reviews", "api-keys", "timeline"] {
            #expect(dom.stdout.contains("id=\"\(section)-acme\""), "section \(section) missing from the rendered DOM")
        }
        #expect(dom.stdout.contains("id=\"recent-changes\""))
        #expect(dom.stdout.contains("source-maps"))
        let screenshot = try Binary.run(flags + ["--screenshot=" + ws.path("review.png"), "--window-size=1280,2000", "file://" + html],
                                        in: ws.url, executable: chromium)
        #expect(screenshot.status == 0, "\(screenshot.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: ws.path("review.png")))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: the width asked for, and more than a blank page's few hundred bytes of pixels.
        #expect(png.count > 24 && png[16..<20].reduce(0) { $0 << 8 | Int($1) } == 1280)
        #expect(png.count > 5_000, "the screenshot is nearly empty")
        let pdf = try Binary.run(flags + ["--print-to-pdf=" + ws.path("review.pdf"), "--no-pdf-header-footer", "file://" + html],
                                 in: ws.url, executable: chromium)
        #expect(pdf.status == 0, "\(pdf.stderr)")
        let document = try Data(contentsOf: URL(fileURLWithPath: ws.path("review.pdf")))
        #expect(document.prefix(5) == Data("%PDF-".utf8))
        #expect(document.count > 5_000)
    }
}
