/// JSON for machines (`format_version` 1 in each document). Strings are JSON-escaped, control
/// characters included; nothing else needs neutralising.
public struct JSONFormatter: PlanFormatter, DiagnosticsFormatter, AccessFormatter {
    public init() {}

    public func plan(_ plan: Plan) -> String {
        PlanDocument(plan).json
    }

    /// `{"format_version", "valid", "errors", "warnings", "files", "diagnostics"}`, plus `"omitted": {"errors",
    /// "warnings"}` when more were found than are listed.
    public func diagnostics(_ report: ValidationReport) -> String {
        var members: [String: JSONValue] = [
            "format_version": .int(1),
            "valid": .bool(report.isValid),
            "errors": .int(report.errorCount),
            "warnings": .int(report.warningCount),
            "files": .int(report.files),
            "diagnostics": .array(report.diagnostics.map(\.json)),
        ]
        if report.omitted.count > 0 {
            members["omitted"] = .object(["errors": .int(report.omitted.errors), "warnings": .int(report.omitted.warnings)])
        }
        return JSONValue.object(members).pretty
    }

    public func access(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String {
        func binding(_ b: EffectiveAccess.Binding) -> JSONValue {
            JSONValue.withoutNulls([
                "role": .string(b.role), "source": .string(b.source.description),
                "expires": .optional(b.expires.map(Timestamp.format)), "ticket": .optional(b.ticket),
            ])
        }
        return JSONValue.object([
            "format_version": .int(1),
            "people": .array(people.map { person in
                .object([
                    "org": .string(person.org), "email": .string(person.email), "status": .string(person.status),
                    "scopes": .array(person.scopes.map { scope in
                        .object([
                            "app": .optional(scope.app), "role": .optional(scope.role),
                            "permissions": .array(scope.permissions.map(JSONValue.string)),
                            "bindings": .array(scope.bindings.map(binding)),
                            "not_counted": .array(scope.setAside.map { aside in
                                if case var .object(o) = binding(aside.binding) {
                                    o["why"] = .string(aside.why)
                                    return .object(o)
                                }
                                return .null
                            }),
                        ])
                    }),
                ])
            }),
        ]).pretty
    }
}

extension SourceLocation {
    var jsonMembers: [String: JSONValue] { ["file": .string(file), "line": .int(line), "column": .int(column)] }
}

extension Diagnostic {
    /// `{"severity", "code", "name", "message", "file", "line", "column", "notes": [{"message", "file", "line",
    /// "column"}]}`; `code` is `RC3101`, `name` is `unknown-role`.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["severity": .string(severity.rawValue), "code": .string(code.id),
                                            "name": .string(code.name), "message": .string(message)]
        members.merge(location?.jsonMembers ?? [:]) { a, _ in a }
        members["notes"] = .array(notes.map { note in
            var n: [String: JSONValue] = ["message": .string(note.message)]
            n.merge(note.location?.jsonMembers ?? [:]) { a, _ in a }
            return .object(n)
        })
        return .object(members)
    }
}
