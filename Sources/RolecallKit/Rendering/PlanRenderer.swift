/// Plan output formats.
public enum PlanFormat: String, Sendable, CaseIterable {
    case text
    case json
    case markdown
    /// GitHub Actions workflow commands: notices and diagnostics as annotations (see `GitHubPlanFormatter.swift`).
    case github
}

/// Renders a plan for people (text, Markdown for a pull-request comment) and for machines (JSON), with
/// the formatter of its format (see `Formatters.swift`).
public struct PlanRenderer: Sendable {
    public var format: PlanFormat
    public var color: Bool
    /// GitHub rejects comments over 65,536 characters; the Markdown stays under this.
    public var markdownLimit = 65_000
    /// What the header names: the commit (`GITHUB_SHA`) or `--label` (Markdown and text).
    public var label: String?

    public init(format: PlanFormat, color: Bool = false) {
        self.format = format
        self.color = color
    }

    public var formatter: any PlanFormatter {
        switch format {
        case .text:
            var text = TextFormatter(color: color)
            text.label = label
            return text
        case .json: return JSONFormatter()
        case .markdown:
            var markdown = MarkdownFormatter()
            markdown.limit = markdownLimit
            markdown.label = label
            return markdown
        case .github: return GitHubFormatter()
        }
    }

    public func render(_ plan: Plan) -> String {
        formatter.plan(plan)
    }
}
