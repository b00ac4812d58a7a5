/// Markdown for a pull-request comment (GitHub-flavoured). Every string a manifest supplies is
/// neutralised (`Escape.markdown`, `.markdownCode`, `.html`): a name, ticket or reason can never open
/// or close a block, a heading, a link or bold text, so nothing in the comment can pass for rolecall's own.
public struct MarkdownFormatter: PlanFormatter, AccessFormatter {
    /// GitHub rejects comments over 65,536 characters; the plan stays under this.
    public var limit = 65_000

    public init() {}

    // MARK: Plan

    public func plan(_ plan: Plan) -> String {
        var out = "**\(plan.summaryLine)**\n"
        if plan.onlyExpired { out += "\nOnly expiry revocations (`--only-expired`).\n" }
        let expired = plan.changes.filter(\.reason.isExpiry)
        var shown = 0
        var truncated = false
        if !expired.isEmpty {
            out += "\n> [!IMPORTANT]\n> \(plural(expired.count, "grant")) of access expired and will be revoked:\n"
            for change in expired {
                let line = "> - `\(Escape.markdownCode(change.id.org))`: \(Escape.markdown(change.id.description)) "
                    + "(\(Escape.markdown(change.reason.description)))\n"
                guard out.utf8.count + line.utf8.count < limit - 2_000 else {
                    truncated = true
                    break
                }
                out += line
            }
        }
        for org in Set(plan.changes.map(\.id.org)).sorted() {
            let changes = plan.changes.filter { $0.id.org == org }
            let s = Plan(changes: changes, notices: [], evaluatedAt: plan.evaluatedAt, nextExpiry: nil, lineage: "",
                         serial: 0, manifestDigest: "", onlyExpired: false).summary
            out += "\n<details open>\n<summary><b>\(Escape.html(org))</b>: \(s.add) to add, \(s.change) to change, \(s.remove) to remove</summary>\n\n"
            out += "| | resource | details | reason | source |\n|---|---|---|---|---|\n"
            for change in changes {
                let row = self.row(change)
                guard out.utf8.count + row.utf8.count < limit - 1_000 else {
                    truncated = true
                    break
                }
                out += row
                shown += 1
            }
            out += "\n</details>\n"
            if truncated { break }
        }
        if truncated {
            out += "\n… and \(plural(plan.changes.count - shown, "more change")) not shown here (the comment would be too long); see the JSON plan.\n"
        }
        out += accessChanges(plan, after: out.utf8.count)
        return out + notices(plan, after: out.utf8.count)
    }

    private func row(_ change: Change) -> String {
        let (symbol, _) = Shown.symbol(change.action)
        let details = Shown.attributeLines(change).map { "`\(Escape.markdownCode($0))`" }.joined(separator: "<br>")
        return "| \(symbol) | \(change.id.kind.noun) `\(Escape.markdownCode(change.id.key))` | \(details) | "
            + "\(Escape.markdown(change.reason.description)) | "
            + (change.location.map { "`\(Escape.markdownCode($0.description))`" } ?? "") + " |\n"
    }

    private func accessChanges(_ plan: Plan, after used: Int) -> String {
        guard !plan.accessChanges.isEmpty else { return "" }
        var out = "\n#### Access changes\n\n"
        for change in plan.accessChanges {
            let line = "- `\(Escape.markdownCode(change.email))` \(Escape.markdown(change.app ?? "org")): "
                + "\(Escape.markdown(change.before ?? "none")) → **\(Escape.markdown(change.after ?? "none"))** "
                + "(\(Escape.markdown(change.cause)))\n"
            guard used + out.utf8.count + line.utf8.count < limit - 600 else {
                out += "- … and more access changes (see the JSON plan)\n"
                break
            }
            out += line
        }
        return out
    }

    private func notices(_ plan: Plan, after used: Int) -> String {
        guard !plan.notices.isEmpty else { return "" }
        var out = "\n#### Notices\n\n"
        for notice in plan.notices {
            let line = "- \(Escape.markdown(notice.message, blockStart: true))\n"
            guard used + out.utf8.count + line.utf8.count < limit - 200 else {
                out += "- … and more notices\n"
                break
            }
            out += line
        }
        return out
    }

    // MARK: Access

    public func access(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String {
        guard !people.isEmpty else { return "_Nobody._\n" }
        var out = ""
        for person in people {
            out += "#### \(Escape.markdown(person.email)) in org `\(Escape.markdownCode(person.org))` "
                + "(\(Escape.markdown(person.status)))\n\n| scope | role | because |\n|---|---|---|\n"
            for scope in person.scopes {
                let (role, reasons) = Shown.scopeLines(scope)
                out += "| \(Escape.markdown(scope.app ?? "org")) | \(Escape.markdown(role)) | "
                    + "\(reasons.map { Escape.markdown($0) }.joined(separator: "<br>")) |\n"
            }
            out += "\n"
        }
        return out
    }
}
