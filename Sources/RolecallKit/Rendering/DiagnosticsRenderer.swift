import Foundation

/// Output formats for diagnostics.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text
    case json
    case github
}

/// What `validate` reports: the diagnostics plus a few counts for the summary.
public struct ValidationReport: Sendable {
    public var diagnostics: [Diagnostic]
    public var files: Int
    public var organizations: Int
    public var members: Int
    public var teams: Int
    public var grants: Int

    public init(_ result: LoadResult, strict: Bool) {
        diagnostics = strict ? result.diagnostics.promotingWarnings() : result.diagnostics
        files = result.files.count
        let orgs = result.manifest?.organizations ?? []
        organizations = orgs.count
        members = orgs.reduce(0) { $0 + $1.members.count }
        teams = orgs.reduce(0) { $0 + $1.teams.count }
        grants = orgs.reduce(0) { $0 + $1.grants.count }
    }

    public var isValid: Bool { !diagnostics.hasErrors }
}

/// Renders diagnostics as text (compiler style), JSON, or GitHub Actions workflow commands.
public struct DiagnosticsRenderer: Sendable {
    public var format: OutputFormat
    /// ANSI colours in text output.
    public var color: Bool

    public init(format: OutputFormat, color: Bool = false) {
        self.format = format
        self.color = color
    }

    public func render(_ report: ValidationReport) -> String {
        switch format {
        case .text: return text(report)
        case .json: return json(report)
        case .github: return github(report)
        }
    }

    // MARK: Text

    public func text(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            out += line(d.location, label(d.severity), d.message)
            for note in d.notes {
                out += line(note.location, paint("note:", "36"), note.message)
            }
        }
        return out
    }

    private func text(_ report: ValidationReport) -> String {
        var out = text(report.diagnostics)
        out += summary(report) + "\n"
        return out
    }

    public func summary(_ report: ValidationReport) -> String {
        let errors = report.diagnostics.errorCount
        let warnings = report.diagnostics.warningCount
        let counts = "\(plural(errors, "error")), \(plural(warnings, "warning"))"
        if errors > 0 { return "Invalid: \(counts)." }
        return "Valid: \(plural(report.files, "file")), \(plural(report.organizations, "org")), "
            + "\(plural(report.members, "member")), \(plural(report.teams, "team")), \(plural(report.grants, "grant")); \(counts)."
    }

    private func line(_ location: SourceLocation?, _ label: String, _ message: String) -> String {
        if let location { return "\(location): \(label) \(message)\n" }
        return "\(label) \(message)\n"
    }

    private func label(_ severity: Severity) -> String {
        switch severity {
        case .error: return paint("error:", "1;31")
        case .warning: return paint("warning:", "1;33")
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    // MARK: JSON

    private func json(_ report: ValidationReport) -> String {
        JSONValue.object([
            "format_version": .int(1),
            "valid": .bool(report.isValid),
            "errors": .int(report.diagnostics.errorCount),
            "warnings": .int(report.diagnostics.warningCount),
            "files": .int(report.files),
            "diagnostics": .array(report.diagnostics.map(\.json)),
        ]).pretty
    }

    // MARK: GitHub Actions

    private func github(_ report: ValidationReport) -> String {
        var out = ""
        for d in report.diagnostics {
            var properties: [String] = []
            if let location = d.location {
                properties = ["file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)"]
            }
            var message = d.message
            for note in d.notes {
                message += "\nnote: " + (note.location.map { "\($0): " } ?? "") + note.message
            }
            let command = d.severity == .error ? "error" : "warning"
            let props = properties.isEmpty ? "" : " " + properties.joined(separator: ",")
            out += "::\(command)\(props)::\(escapeData(message))\n"
        }
        out += summary(report) + "\n"
        return out
    }

    private func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

func plural(_ n: Int, _ word: String) -> String {
    "\(n) \(word)\(n == 1 ? "" : "s")"
}

extension SourceLocation {
    var jsonMembers: [String: JSONValue] { ["file": .string(file), "line": .int(line), "column": .int(column)] }
}

extension Diagnostic {
    /// `{"severity", "message", "file", "line", "column", "notes": [{"message", "file", "line", "column"}]}`.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["severity": .string(severity.rawValue), "message": .string(message)]
        members.merge(location?.jsonMembers ?? [:]) { a, _ in a }
        members["notes"] = .array(notes.map { note in
            var n: [String: JSONValue] = ["message": .string(note.message)]
            n.merge(note.location?.jsonMembers ?? [:]) { a, _ in a }
            return .object(n)
        })
        return .object(members)
    }
}
