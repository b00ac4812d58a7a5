import Foundation

/// The access review report as Markdown (for a wiki page or a pull request). Everything a manifest or
/// the log supplies is escaped (`Escape.markdown`); the pictures of the HTML report are lists here.
public struct ReportMarkdown: Sendable {
    public init() {}

    public func render(_ report: AccessReport) -> String {
        var out = "# Access review\n\n"
        out += "Generated at \(Timestamp.format(report.generatedAt)) from \(Escape.markdown(report.source)).\n"
        for org in report.orgs { out += self.org(org, now: report.generatedAt) }
        out += "\n## Recent changes\n\n"
        out += recent(report)
        return out
    }

    private func cell(_ text: String) -> String { Escape.markdown(text) }

    private func table(_ head: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "\(empty)\n" }
        var out = "| " + head.joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: " --- |", count: head.count) + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }

    private func org(_ org: AccessReport.Org, now: Date) -> String {
        var out = "\n## Org \(cell(org.name))\n\n"
        out += "\(org.rows.count) people, \(org.scopes.count - 1) apps, \(org.pending.count) pending invitations, "
            + "\(org.expiring.count) expiries within \(AccessReport.expiringDays) days, \(org.overdueReviews.count) overdue reviews, "
            + "\(org.keys.count { $0.isDue(at: now) }) API keys due for rotation.\n"
        out += "\n### Access matrix\n\n"
        let head = ["person"] + org.scopes.map { $0.map(cell) ?? "org" }
        out += table(head, org.rows.map { row in
            [cell(row.email) + (row.status == "invited" ? " (invited)" : "")] + row.cells.map { c in
                guard let role = c.role else { return "-" }
                return cell(role) + " (" + c.how.map(cell).joined(separator: ", ") + ")"
            }
        }, empty: "Nobody.")
        out += "\n### Externals\n\n"
        if let externals = org.externals {
            out += table(["person", "status"], externals.map { [cell($0.email), $0.status] }, empty: "None.")
        } else {
            out += "Not known: the org sets no `internal_domains` in `settings.policy`.\n"
        }
        out += "\n### Pending invitations\n\n"
        out += table(["person", "invited at"], org.pending.map { [cell($0.email), $0.since.map(cell) ?? "-"] }, empty: "None.")
        out += "\n### Access expiring within \(AccessReport.expiringDays) days\n\n"
        out += table(["when", "what"], org.expiring.map { [Timestamp.format($0.at), cell($0.what)] }, empty: "None.")
        out += "\n### Overdue reviews\n\n"
        out += table(["what", "reviewed", "every", "due"], org.overdueReviews.map {
            [cell($0.id.description), "\($0.reviewed)", "\($0.every)d", "\($0.due)"]
        }, empty: "None.")
        out += "\n### API keys\n\n"
        out += table(["key", "app", "access", "owner", "last rotated", "rotation due", "expires", "ticket"], org.keys.map { k in
            let due = k.rotationDue.map { Timestamp.format($0) + (k.isDue(at: now) ? " (due now)" : "") } ?? "-"
            return [cell(k.name), cell(k.app), cell(k.access), cell(k.owner), k.lastRotated.map(cell) ?? "-", due,
                    k.expires.map(cell) ?? "-", k.ticket.map(cell) ?? "-"]
        }, empty: "None.")
        out += "\n### Timeline: the next \(AccessReport.timelineDays) days\n\n"
        out += table(["when", "kind", "what"], org.timeline.map { [Timestamp.format($0.at), $0.kind.rawValue, cell($0.what)] }, empty: "Nothing due.")
        return out
    }

    private func recent(_ report: AccessReport) -> String {
        guard let source = report.auditSource else { return "No audit log.\n" }
        let rows = report.recentChanges.map { e in
            [Timestamp.format(e.time), cell(e.actor), e.action.rawValue, cell("\(e.id.org) \(e.id)"), e.ticket.map(cell) ?? "-",
             cell(e.reason), cell(e.result)]
        }
        return "From \(cell(source)), newest first.\n\n" + table(["when", "who", "action", "what", "ticket", "reason", "result"], rows, empty: "No changes recorded.")
    }
}
