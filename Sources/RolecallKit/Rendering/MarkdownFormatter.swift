/// Markdown for a pull-request comment (GitHub-flavoured). Every string a manifest supplies is
/// neutralised (`Escape.markdown`, `.markdownCode`, `.html`): a name, ticket or reason can never open
/// or close a block, a heading, a link or bold text, so nothing in the comment can pass for rolecall's own.
public struct MarkdownFormatter: PlanFormatter, AccessFormatter {
    /// GitHub rejects comments over 65,536 characters; the plan stays under this.
    public var limit = 65_000

    public init() {}

    // MARK: Plan

    /// The commit or other text the header names (`GITHUB_SHA`, `--label`).
    public var label: String?

    /// The pull-request comment: see `PlanComment`.
    public func plan(_ plan: Plan) -> String {
        PlanComment(plan: plan, label: label, limit: limit).render()
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
