/// Output formats, one type per format, each in its own file (`TextFormatter.swift`,
/// `JSONFormatter.swift`, `MarkdownFormatter.swift`, `GitHubFormatter.swift`, `CSVFormatter.swift`).
/// A format conforms to the protocols of what it can render; a new format (HTML) is one more file.
/// `PlanRenderer`, `DiagnosticsRenderer` and `AccessRenderer` pick the formatter for a `--format` value.
///
/// Every string a manifest supplies is escaped for the format it lands in (see `Escape`).

/// Renders a plan.
public protocol PlanFormatter: Sendable {
    func plan(_ plan: Plan) -> String
}

/// Renders what `validate` found.
public protocol DiagnosticsFormatter: Sendable {
    func diagnostics(_ report: ValidationReport) -> String
}

/// Renders the answer to an access question.
public protocol AccessFormatter: Sendable {
    /// True when the format always shows every scope (the CSV matrix), not only the scope a `who` question asks about.
    var showsEveryScope: Bool { get }
    func access(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String
}

extension AccessFormatter {
    public var showsEveryScope: Bool { false }
}

/// What more than one format shows the same way.
enum Shown {
    static func symbol(_ action: Change.Action) -> (String, String) {
        switch action {
        case .create: return ("+", "32")
        case .update: return ("~", "33")
        case .delete: return ("-", "31")
        }
    }

    /// `role: "member" -> "admin"` for updates; every attribute for creations and removals (unescaped).
    static func attributeLines(_ change: Change) -> [String] {
        switch change.action {
        case .create:
            return (change.after ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        case .delete:
            // Where it was declared is shown beside the change, not as an attribute.
            return (change.before ?? [:]).sorted { $0.key < $1.key }.filter { $0.key != State.declaredAtAttribute }
                .map { "\($0.key): \($0.value)" }
        case .update:
            return change.changedAttributes.map { key in
                "\(key): \(change.before?[key]?.description ?? "(none)") -> \(change.after?[key]?.description ?? "(none)")"
            }
        }
    }

    /// `grant, until 2027-…, IAM-1234`: where an access binding comes from (unescaped).
    static func when(_ b: EffectiveAccess.Binding) -> String {
        var parts = ["\(b.source)"]
        if let e = b.expires { parts.append("until \(Timestamp.format(e))") }
        if let t = b.ticket { parts.append(t) }
        return parts.joined(separator: ", ")
    }

    /// The reasons a person holds (or does not hold) a scope, and the role shown for it (unescaped).
    static func scopeLines(_ scope: EffectiveAccess.Scope) -> (role: String, reasons: [String]) {
        var reasons = scope.bindings.map { "\($0.role): \(when($0))" }
        reasons += scope.setAside.map { "not counted: \($0.binding.role) (\(when($0.binding))), \($0.why)" }
        let role = scope.label ?? "-"
        return (role, reasons)
    }

    static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

func plural(_ n: Int, _ word: String) -> String {
    "\(n) \(word)\(n == 1 ? "" : "s")"
}
