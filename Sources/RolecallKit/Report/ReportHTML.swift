import Foundation

/// The access review report as one self-contained HTML page: inline CSS and SVG, no script, and
/// nothing fetched from elsewhere. Each part of an org is a `<section>` whose class names it (`matrix`,
/// `heatmap`, `externals`, `pending`, `expiring`, `overdue-reviews`, `api-keys`, `timeline`) and whose id
/// is that and the org's name (`matrix-acme`); then `recent-changes`.
public struct ReportHTML: Sendable {
    public init() {}

    private func h(_ s: String) -> String { Escape.html(s) }

    static let style = """
        body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
        th,td{border:1px solid #bbb;padding:3px 8px;text-align:left;font-size:13px}th{background:#eee}
        .how{color:#666;font-size:11px}.due{color:#c0392b;font-weight:bold}section{margin-bottom:1.5em}
        @media print{section{page-break-inside:avoid}}
        """

    public func render(_ report: AccessReport) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Access review</title>\n"
        out += "<style>\n\(Self.style)\n</style>\n</head>\n<body>\n<h1>Access review</h1>\n"
        out += "<p id=\"generated\">Generated at \(Timestamp.format(report.generatedAt)) from \(h(report.source)).</p>\n"
        for org in report.orgs { out += self.org(org, now: report.generatedAt) }
        out += "<section id=\"recent-changes\">\n<h2>Recent changes</h2>\n"
        if let source = report.auditSource {
            out += "<p>From \(h(source)), newest first.</p>\n"
            out += table(["when", "who", "action", "what", "ticket", "reason", "result"], report.recentChanges.map { e in
                [Timestamp.format(e.time), h(e.actor), e.action.rawValue, h("\(e.id.org) \(e.id)"), h(e.ticket ?? "-"), h(e.reason), h(e.result)]
            }, empty: "No changes recorded.")
        } else {
            out += "<p>No audit log.</p>\n"
        }
        return out + "</section>\n</body>\n</html>\n"
    }

    private func table(_ head: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p>\(empty)</p>\n" }
        var out = "<table>\n<tr>" + head.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for row in rows { out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return out + "</table>\n"
    }

    private func section(_ id: String, _ org: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)-\(h(org))\" class=\"\(id)\">\n<h3>\(title)</h3>\n\(body)</section>\n"
    }

    private func org(_ org: AccessReport.Org, now: Date) -> String {
        var out = "<h2>Org \(h(org.name))</h2>\n"
        let matrix = table(["person"] + org.scopes.map { h($0 ?? "org") }, org.rows.map { row in
            [h(row.email) + (row.status == "invited" ? " <span class=\"how\">(invited)</span>" : "")] + row.cells.map { c in
                guard let role = c.role else { return "-" }
                return h(role) + " <span class=\"how\">(" + c.how.map(h).joined(separator: ", ") + ")</span>"
            }
        }, empty: "Nobody.")
        out += section("matrix", org.name, "Access matrix", matrix)
        out += section("heatmap", org.name, "Heat map", ReportSVG.heatmap(org) + "\n")
        let externals = org.externals.map { table(["person", "status"], $0.map { [h($0.email), $0.status] }, empty: "None.") }
            ?? "<p>Not known: the org sets no <code>internal_domains</code> in <code>settings.policy</code>.</p>\n"
        out += section("externals", org.name, "Externals", externals)
        out += section("pending", org.name, "Pending invitations",
                       table(["person", "invited at"], org.pending.map { [h($0.email), h($0.since ?? "-")] }, empty: "None."))
        out += section("expiring", org.name, "Access expiring within \(AccessReport.expiringDays) days",
                       table(["when", "what"], org.expiring.map { [Timestamp.format($0.at), h($0.what)] }, empty: "None."))
        out += section("overdue-reviews", org.name, "Overdue reviews", table(["what", "reviewed", "every", "due"], org.overdueReviews.map {
            [h($0.id.description), "\($0.reviewed)", "\($0.every)d", "<span class=\"due\">\($0.due)</span>"]
        }, empty: "None."))
        out += section("api-keys", org.name, "API keys and rotation",
                       table(["key", "app", "access", "owner", "last rotated", "rotation due", "expires", "ticket"], org.keys.map { k in
            let due = k.rotationDue.map { k.isDue(at: now) ? "<span class=\"due\">\(Timestamp.format($0)) (due now)</span>" : Timestamp.format($0) } ?? "-"
            return [h(k.name), h(k.app), h(k.access), h(k.owner), h(k.lastRotated ?? "-"), due, h(k.expires ?? "-"), h(k.ticket ?? "-")]
        }, empty: "None."))
        out += section("timeline", org.name, "Timeline: the next \(AccessReport.timelineDays) days",
                       ReportSVG.timeline(org.timeline, now: now, days: AccessReport.timelineDays) + "\n")
        return out
    }
}
