/// Plans as GitHub Actions workflow commands: each notice (and, with `PlanReport`, each diagnostic) is
/// an annotation on the pull request's diff, then the summary line.
///
/// GitHub shows at most 10 annotations of each kind (error, warning, notice) per step: past 10, the
/// first 9 are annotations, a 10th says how many more there are, and the rest are plain lines in the log.
extension GitHubFormatter: PlanFormatter {
    public func plan(_ plan: Plan) -> String {
        annotations(plan.notices.map(Annotation.init)) + Escape.text(plan.summaryLine) + "\n"
    }

    /// Diagnostics and a plan's notices as annotations, then the summary line (the plan's, or the failure's).
    func report(_ report: PlanReport) -> String {
        var items = report.diagnostics.sortedForOutput().map(Annotation.init)
        items += (report.plan?.notices ?? []).map(Annotation.init)
        return annotations(items) + Escape.text(report.summaryLine) + "\n"
    }

    /// GitHub's limit per kind and step.
    static let shownPerKind = 10

    func annotations(_ items: [Annotation]) -> String {
        var out = "", overflow = ""
        for kind in Annotation.Kind.allCases {
            let ofKind = items.filter { $0.kind == kind }
            let shown = ofKind.count > Self.shownPerKind ? Self.shownPerKind - 1 : ofKind.count
            for item in ofKind.prefix(shown) { out += item.command }
            guard ofKind.count > shown else { continue }
            let more = ofKind.count - shown
            let word = kind == .error ? "error" : kind == .warning ? "warning" : "notice"
            out += "::\(kind.rawValue)::\(Escape.githubData("… and \(more) more \(more == 1 ? word : word + "s"), not annotated: listed in the log"))\n"
            for item in ofKind.dropFirst(shown) { overflow += item.line }
        }
        return out + overflow
    }

    struct Annotation {
        enum Kind: String, CaseIterable {
            case error, warning, notice
        }

        var kind: Kind
        var location: SourceLocation?
        var message: String

        init(_ d: Diagnostic) {
            kind = d.severity == .error ? .error : .warning
            location = d.location
            message = d.message
            for note in d.notes {
                message += "\nnote: " + (note.location.map { "\($0): " } ?? "") + note.message
            }
        }

        init(_ notice: Notice) {
            kind = .notice
            location = notice.location
            message = notice.message
        }

        /// `::error file=…,line=…,col=…::message`.
        var command: String {
            var properties = ""
            if let location {
                properties = " file=\(Escape.githubProperty(location.file)),line=\(location.line),col=\(location.column)"
            }
            return "::\(kind.rawValue)\(properties)::\(Escape.githubData(message))\n"
        }

        /// `file:line:col: error: message`, for the log.
        var line: String {
            let place = location.map { "\($0): " } ?? ""
            return Escape.text(place + "\(kind.rawValue): " + message.replacingOccurrences(of: "\n", with: "; ")) + "\n"
        }
    }
}
