/// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`): each diagnostic is an
/// annotation on the pull request's diff, titled with its code (`title=RC3101 unknown-role`). Messages and
/// properties are encoded as the runner requires.
public struct GitHubFormatter: DiagnosticsFormatter {
    public init() {}

    public func diagnostics(_ report: ValidationReport) -> String {
        var out = ""
        for d in report.diagnostics {
            var properties: [String] = []
            if let location = d.location {
                properties = ["file=\(Escape.githubProperty(location.file))", "line=\(location.line)", "col=\(location.column)"]
            }
            properties.append("title=\(Escape.githubProperty(d.code.label))")
            var message = d.message
            for note in d.notes {
                message += "\nnote: " + (note.location.map { "\($0): " } ?? "") + note.message
            }
            let command = d.severity == .error ? "error" : "warning"
            let props = " " + properties.joined(separator: ",")
            out += "::\(command)\(props)::\(Escape.githubData(message))\n"
        }
        if let omitted = report.omitted.line {
            out += "::\(report.omitted.errors > 0 ? "error" : "warning")::\(Escape.githubData(omitted))\n"
        }
        return out + Escape.text(report.summary) + "\n"
    }
}
