import Foundation

/// Text for a terminal: compiler-style diagnostics, the plan as a list of changes, access as a table.
/// Colour (ANSI) only when asked; control characters in what a manifest supplies are escaped.
public struct TextFormatter: PlanFormatter, DiagnosticsFormatter, AccessFormatter {
    public var color: Bool

    public init(color: Bool = false) {
        self.color = color
    }

    private func paint(_ text: String, _ code: String) -> String { Shown.paint(text, code, color) }

    // MARK: Plan

    /// What the first line names: the commit (`GITHUB_SHA`) or `--label`.
    public var label: String?

    public func plan(_ plan: Plan) -> String {
        var out = ""
        if let label, !label.isEmpty { out += "rolecall plan for \(Escape.text(label)) (state serial \(plan.serial))\n\n" }
        if !plan.changes.isEmpty {
            out += "rolecall will make these changes (expiries evaluated at \(Timestamp.format(plan.evaluatedAt))):\n"
            let pairs = plan.replacements
            let paired = Dictionary(pairs.map { ($0.addition, $0) }, uniquingKeysWith: { a, _ in a })
            let removed = Set(pairs.map(\.removal))
            for org in Set(plan.changes.map(\.id.org)).sorted() {
                out += "\n" + paint("org \(Escape.text(org))", "1") + "\n"
                for (index, change) in plan.changes.enumerated() where change.id.org == org && !removed.contains(index) {
                    out += paired[index].map { replacement($0, plan) } ?? self.change(change)
                }
            }
            out += "\n"
        }
        if !plan.accessChanges.isEmpty {
            out += "Access changes:\n"
            for change in plan.accessChanges {
                out += "  \(Escape.text(change.line))" + (change.external == true ? paint("  external", "33") : "") + "\n"
            }
            out += "\n"
        }
        if !plan.notices.isEmpty {
            out += "Notices:\n"
            for notice in plan.notices {
                out += "  \(paint("!", "33")) \(Escape.text(notice.message))"
                    + (notice.location.map { paint("  \(Escape.text($0.description))", "2") } ?? "") + "\n"
            }
            out += "\n"
        }
        out += paint(plan.summaryLine, "1") + "\n"
        return out
    }

    /// `- grant member:…  (removed from manifests)  declared at manifests/acme.yaml:19:5` and its attributes.
    private func change(_ change: Change) -> String {
        let (symbol, code) = Shown.symbol(change.action)
        var place = change.location.map { "  \(Escape.text($0.description))" } ?? ""
        if change.location == nil, case let .string(declared)? = change.before?[State.declaredAtAttribute] {
            place = "  declared at \(Escape.text(declared))"
        }
        var out = "  \(paint(symbol, code)) \(Escape.text(change.id.description))  "
            + "(\(Escape.text(change.reason.description)))\(paint(place, "2"))\n"
        for line in Shown.attributeLines(change) { out += "      \(Escape.text(line))\n" }
        return out
    }

    /// `-/+ grant member:jane@acme.com:member@production  (replaces …:admin@production)` and what changes.
    private func replacement(_ pair: Replacement, _ plan: Plan) -> String {
        let removal = plan.changes[pair.removal]
        let addition = plan.changes[pair.addition]
        let place = addition.location.map { "  \(Escape.text($0.description))" } ?? ""
        var out = "  \(paint("-/+", "33")) \(Escape.text(addition.id.description))  "
            + "(replaces \(Escape.text(removal.id.key)))\(paint(place, "2"))\n"
        for line in Replacement.attributeLines(removal, addition) { out += "      \(Escape.text(line))\n" }
        return out
    }

    // MARK: Diagnostics

    public func diagnostics(_ report: ValidationReport) -> String {
        var out = diagnostics(report.diagnostics)
        if let omitted = report.omitted.line { out += omitted + "\n" }
        return out + report.summary + "\n"
    }

    /// One line per diagnostic and per note: `file:line:col: error[RC3101 unknown-role]: message`; a note is
    /// `file:line:col: note: message`.
    public func diagnostics(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            out += line(d.location, label(d.severity, d.code), d.message)
            for note in d.notes {
                out += line(note.location, paint("note:", "36"), note.message)
            }
        }
        return out
    }

    private func line(_ location: SourceLocation?, _ label: String, _ message: String) -> String {
        if let location { return "\(Escape.text(location.description)): \(label) \(Escape.text(message))\n" }
        return "\(label) \(Escape.text(message))\n"
    }

    private func label(_ severity: Severity, _ code: DiagnosticCode) -> String {
        switch severity {
        case .error: return paint("error[\(code.label)]:", "1;31")
        case .warning: return paint("warning[\(code.label)]:", "1;33")
        }
    }

    // MARK: Access

    public func access(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String {
        guard !people.isEmpty else { return "Nobody.\n" }
        var out = ""
        let pad = { (s: String, n: Int) in s + String(repeating: " ", count: max(1, n - s.count)) }
        for person in people {
            out += "\(Escape.text(person.email)) in org \(Escape.text(person.org)) (\(Escape.text(person.status)))\n"
            for scope in person.scopes {
                let (role, reasons) = Shown.scopeLines(scope)
                let shown = reasons.map(Escape.text)
                out += "  " + pad(Escape.text(scope.app ?? "org"), 16) + pad(Escape.text(role), 14) + (shown.first ?? "") + "\n"
                for more in shown.dropFirst() { out += String(repeating: " ", count: 32) + more + "\n" }
            }
            out += "\n"
        }
        return out
    }
}
