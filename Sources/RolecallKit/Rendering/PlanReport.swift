/// What `plan` found: the plan, or nothing when something stopped planning, and the diagnostics either way.
public struct PlanReport: Sendable {
    /// nil when planning stopped (manifest errors, an unreadable state, a policy).
    public var plan: Plan?
    public var diagnostics: [Diagnostic]

    public init(plan: Plan?, diagnostics: [Diagnostic]) {
        self.plan = plan
        self.diagnostics = diagnostics
    }

    /// The plan's summary, or `Plan failed: 2 errors, 1 warning.`
    public var summaryLine: String {
        if let plan { return plan.summaryLine }
        return "Plan failed: \(plural(diagnostics.errorCount, "error")), \(plural(diagnostics.warningCount, "warning"))."
    }
}

/// Renders what `plan` found in every plan format. A plan renders as `PlanRenderer` renders it (the
/// diagnostics then go to standard error, except in GitHub output). When planning stopped, the output
/// is still a document: nothing in text (the diagnostics are on standard error), in JSON a document
/// with `"valid": false` and the diagnostics (`schema/plan-failure.schema.json`), in Markdown the
/// diagnostics with file:line for a pull-request comment, in GitHub output annotations.
public struct PlanReportRenderer: Sendable {
    public var format: PlanFormat
    public var color: Bool
    /// GitHub rejects comments over 65,536 characters; the Markdown stays under this.
    public var markdownLimit = 65_000
    /// What the header names: the commit (`GITHUB_SHA`) or `--label`.
    public var label: String?

    public init(format: PlanFormat, color: Bool = false, label: String? = nil) {
        self.format = format
        self.color = color
        self.label = label
    }

    public func render(_ report: PlanReport) -> String {
        if format == .github { return GitHubFormatter().report(report) }
        if let plan = report.plan {
            var renderer = PlanRenderer(format: format, color: color)
            renderer.markdownLimit = markdownLimit
            renderer.label = label
            return renderer.render(plan)
        }
        switch format {
        case .text, .github: return ""
        case .json: return failureJSON(report.diagnostics)
        case .markdown: return failureMarkdown(report)
        }
    }

    /// `{"format_version": 1, "valid": false, "errors", "warnings", "diagnostics": [...]}`.
    func failureJSON(_ diagnostics: [Diagnostic]) -> String {
        JSONValue.object([
            "format_version": .int(1),
            "valid": .bool(false),
            "errors": .int(diagnostics.errorCount),
            "warnings": .int(diagnostics.warningCount),
            "diagnostics": .array(diagnostics.sortedForOutput().map(\.json)),
        ]).pretty
    }

    /// The failure and a table of the diagnostics: where, and what is wrong (with the did-you-mean and notes).
    func failureMarkdown(_ report: PlanReport) -> String {
        var out = PlanComment.title(label) + "\n**\(report.summaryLine)** Nothing was planned: fix the problems below and run the plan again.\n\n"
            + "| | where | problem |\n|---|---|---|\n"
        let sorted = report.diagnostics.sortedForOutput()
        for (shown, d) in sorted.enumerated() {
            var problem = Escape.markdown(d.message)
            for note in d.notes {
                problem += "<br>note: " + (note.location.map { "`\(Escape.markdownCode($0.description))` " } ?? "")
                    + Escape.markdown(note.message)
            }
            let row = "| \(d.severity.rawValue) | " + (d.location.map { "`\(Escape.markdownCode($0.description))`" } ?? "")
                + " | \(problem) |\n"
            guard out.utf8.count + row.utf8.count < markdownLimit - 200 else {
                out += "\n… and \(plural(sorted.count - shown, "more problem")) not shown here (the comment would be too long); "
                    + "run `rolecall validate` to see them all.\n"
                break
            }
            out += row
        }
        return out
    }
}
