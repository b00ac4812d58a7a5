/// Output formats for diagnostics.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text
    case json
    case github
}

/// Diagnostics found but not listed: collecting stops after `DiagnosticSink.limit` of them.
public struct OmittedDiagnostics: Sendable, Hashable {
    public var errors = 0
    public var warnings = 0

    public init(errors: Int = 0, warnings: Int = 0) {
        self.errors = errors
        self.warnings = warnings
    }

    public var count: Int { errors + warnings }

    /// `… and 1,234 more (1,200 errors, 34 warnings) not shown`; nil when nothing was left out.
    public var line: String? {
        guard count > 0 else { return nil }
        return "… and \(grouped(count)) more "
            + "(\(grouped(errors)) error\(errors == 1 ? "" : "s"), \(grouped(warnings)) warning\(warnings == 1 ? "" : "s")) not shown"
    }
}

/// `1,234,567`.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = n < 0 ? "-" : ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return out
}

/// What `validate` reports: the diagnostics plus a few counts for the summary.
public struct ValidationReport: Sendable {
    public var diagnostics: [Diagnostic]
    /// Found beyond the listed ones (counted, not listed).
    public var omitted: OmittedDiagnostics
    public var files: Int
    public var organizations: Int
    public var members: Int
    public var teams: Int
    public var grants: Int

    public init(_ result: LoadResult, strict: Bool) {
        diagnostics = strict ? result.diagnostics.promotingWarnings() : result.diagnostics
        omitted = strict ? OmittedDiagnostics(errors: result.omitted.count) : result.omitted
        files = result.files.count
        let orgs = result.manifest?.organizations ?? []
        organizations = orgs.count
        members = orgs.reduce(0) { $0 + $1.members.count }
        teams = orgs.reduce(0) { $0 + $1.teams.count }
        grants = orgs.reduce(0) { $0 + $1.grants.count }
    }

    public var isValid: Bool { !diagnostics.hasErrors && omitted.errors == 0 }
    /// Every error found, listed or not.
    public var errorCount: Int { diagnostics.errorCount + omitted.errors }
    public var warningCount: Int { diagnostics.warningCount + omitted.warnings }

    /// `Invalid: 2 errors, 0 warnings.` or `Valid: 3 files, 1 org, …`.
    public var summary: String {
        let counts = "\(plural(errorCount, "error")), \(plural(warningCount, "warning"))"
        if errorCount > 0 { return "Invalid: \(counts)." }
        return "Valid: \(plural(files, "file")), \(plural(organizations, "org")), "
            + "\(plural(members, "member")), \(plural(teams, "team")), \(plural(grants, "grant")); \(counts)."
    }
}

/// Renders diagnostics as text (compiler style), JSON, or GitHub Actions workflow commands, with the
/// formatter of its format (see `Formatters.swift`).
public struct DiagnosticsRenderer: Sendable {
    public var format: OutputFormat
    /// ANSI colours in text output.
    public var color: Bool

    public init(format: OutputFormat, color: Bool = false) {
        self.format = format
        self.color = color
    }

    public var formatter: any DiagnosticsFormatter {
        switch format {
        case .text: return TextFormatter(color: color)
        case .json: return JSONFormatter()
        case .github: return GitHubFormatter()
        }
    }

    public func render(_ report: ValidationReport) -> String {
        formatter.diagnostics(report)
    }

    /// Diagnostics alone, as text (what `plan` and `apply` print to standard error).
    public func text(_ diagnostics: [Diagnostic]) -> String {
        TextFormatter(color: color).diagnostics(diagnostics)
    }

    public func summary(_ report: ValidationReport) -> String {
        report.summary
    }
}
