import Foundation

/// Plan output formats.
public enum PlanFormat: String, Sendable, CaseIterable {
    case text
    case json
    case markdown
}

/// Renders a plan for people (text, Markdown for a pull-request comment) and for machines (JSON).
public struct PlanRenderer: Sendable {
    public var format: PlanFormat
    public var color: Bool
    /// GitHub rejects comments over 65,536 characters; the Markdown stays under this.
    public var markdownLimit = 65_000

    public init(format: PlanFormat, color: Bool = false) {
        self.format = format
        self.color = color
    }

    public func render(_ plan: Plan) -> String {
        switch format {
        case .text: return text(plan)
        case .json: return PlanDocument(plan).json
        case .markdown: return markdown(plan)
        }
    }

    // MARK: Text

    private func text(_ plan: Plan) -> String {
        var out = ""
        if !plan.changes.isEmpty {
            out += "rolecall will make these changes (expiries evaluated at \(Timestamp.format(plan.evaluatedAt))):\n"
            for org in Set(plan.changes.map(\.id.org)).sorted() {
                out += "\n" + paint("org \(org)", "1") + "\n"
                for change in plan.changes where change.id.org == org {
                    let (symbol, code) = Self.symbol(change.action)
                    let place = change.location.map { "  \($0)" } ?? ""
                    out += "  \(paint(symbol, code)) \(change.id)  (\(change.reason))\(paint(place, "2"))\n"
                    for line in attributeLines(change) { out += "      \(line)\n" }
                }
            }
            out += "\n"
        }
        if !plan.accessChanges.isEmpty {
            out += "Access changes:\n"
            for change in plan.accessChanges { out += "  \(change.line)\n" }
            out += "\n"
        }
        if !plan.notices.isEmpty {
            out += "Notices:\n"
            for notice in plan.notices {
                out += "  \(paint("!", "33")) \(notice.message)" + (notice.location.map { paint("  \($0)", "2") } ?? "") + "\n"
            }
            out += "\n"
        }
        out += paint(plan.summaryLine, "1") + "\n"
        return out
    }

    static func symbol(_ action: Change.Action) -> (String, String) {
        switch action {
        case .create: return ("+", "32")
        case .update: return ("~", "33")
        case .delete: return ("-", "31")
        }
    }

    /// `role: "member" -> "admin"` for updates; every attribute for creations and removals.
    func attributeLines(_ change: Change) -> [String] {
        switch change.action {
        case .create:
            return (change.after ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        case .delete:
            return (change.before ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        case .update:
            return change.changedAttributes.map { key in
                "\(key): \(change.before?[key]?.description ?? "(none)") -> \(change.after?[key]?.description ?? "(none)")"
            }
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        color && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    // MARK: Markdown

    private func markdown(_ plan: Plan) -> String {
        var out = "**\(plan.summaryLine)**\n"
        if plan.onlyExpired { out += "\nOnly expiry revocations (`--only-expired`).\n" }
        let expired = plan.changes.filter(\.reason.isExpiry)
        var shown = 0
        var truncated = false
        if !expired.isEmpty {
            out += "\n> [!IMPORTANT]\n> \(plural(expired.count, "grant")) of access expired and will be revoked:\n"
            for change in expired {
                let line = "> - `\(change.id.org)`: \(change.id) (\(change.reason))\n"
                guard out.utf8.count + line.utf8.count < markdownLimit - 2_000 else {
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
            out += "\n<details open>\n<summary><b>\(escape(org))</b>: \(s.add) to add, \(s.change) to change, \(s.remove) to remove</summary>\n\n"
            out += "| | resource | details | reason | source |\n|---|---|---|---|---|\n"
            for change in changes {
                let (symbol, _) = Self.symbol(change.action)
                let details = attributeLines(change).map { "`\(escapeCode($0))`" }.joined(separator: "<br>")
                let row = "| \(symbol) | \(change.id.kind.noun) `\(escapeCode(change.id.key))` | \(details) | \(escape(change.reason.description)) | "
                    + (change.location.map { "`\(escapeCode($0.description))`" } ?? "") + " |\n"
                guard out.utf8.count + row.utf8.count < markdownLimit - 1_000 else {
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
        if !plan.accessChanges.isEmpty {
            out += "\n#### Access changes\n\n"
            for change in plan.accessChanges {
                let line = "- `\(escapeCode(change.email))` \(escape(change.app ?? "org")): \(change.before ?? "none") → **\(change.after ?? "none")** (\(escape(change.cause)))\n"
                guard out.utf8.count + line.utf8.count < markdownLimit - 600 else {
                    out += "- … and more access changes (see the JSON plan)\n"
                    break
                }
                out += line
            }
        }
        if !plan.notices.isEmpty {
            out += "\n#### Notices\n\n"
            for notice in plan.notices {
                let line = "- \(escape(notice.message))\n"
                guard out.utf8.count + line.utf8.count < markdownLimit - 200 else {
                    out += "- … and more notices\n"
                    break
                }
                out += line
            }
        }
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
    }

    private func escapeCode(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
    }
}
