import Foundation

/// Questions `rolecall access` answers, over effective access.
public enum AccessQuery: Sendable {
    /// What this person can do.
    case person(email: String)
    /// Who can act on an app (nil: the org), optionally with at least a role or with a permission.
    case who(app: String?, role: String?, permission: String?)
    /// Everyone x every app, for auditors.
    case matrix
}

public enum AccessFormat: String, Sendable, CaseIterable {
    case text
    case json
    case markdown
    case csv
}

/// Renders answers to access questions.
public struct AccessRenderer: Sendable {
    public var format: AccessFormat

    public init(format: AccessFormat) {
        self.format = format
    }

    /// The people and scopes that answer a query.
    public static func select(_ people: [EffectiveAccess.Person], _ query: AccessQuery) -> [EffectiveAccess.Person] {
        switch query {
        case let .person(email):
            return people.filter { $0.email == email.lowercased() }
        case .matrix:
            return people
        case let .who(app, role, permission):
            return people.compactMap { person in
                guard let scope = person.scope(app), !scope.bindings.isEmpty else { return nil }
                if let permission, !scope.permissions.contains(permission) { return nil }
                // --role R: R itself, or a built-in role at least as permissive.
                if let role, !scope.bindings.contains(where: { person.meets($0.role, role, app: app) }) { return nil }
                return person
            }
        }
    }

    /// Text, Markdown and JSON show only the asked-about scope of a `who` question; CSV is always the full matrix.
    public func render(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String {
        var people = people
        if case let .who(app, _, _) = query, format != .csv {
            people = people.map { p in
                var only = p
                only.scopes = p.scopes.filter { $0.app == app }
                return only
            }
        }
        switch format {
        case .json: return json(people, query)
        case .csv: return csv(people)
        case .text: return table(people, markdown: false)
        case .markdown: return table(people, markdown: true)
        }
    }

    private func when(_ b: EffectiveAccess.Binding) -> String {
        var parts = ["\(b.source)"]
        if let e = b.expires { parts.append("until \(Timestamp.format(e))") }
        if let t = b.ticket { parts.append(t) }
        return parts.joined(separator: ", ")
    }

    private func table(_ people: [EffectiveAccess.Person], markdown: Bool) -> String {
        guard !people.isEmpty else { return markdown ? "_Nobody._\n" : "Nobody.\n" }
        var out = ""
        for person in people {
            if markdown {
                out += "#### \(person.email) in org `\(person.org)` (\(person.status))\n\n| scope | role | because |\n|---|---|---|\n"
            } else {
                out += "\(person.email) in org \(person.org) (\(person.status))\n"
            }
            for scope in person.scopes {
                let name = scope.app ?? "org"
                var reasons = scope.bindings.map { "\($0.role): \(when($0))" }
                reasons += scope.setAside.map { "not counted: \($0.binding.role) (\(when($0.binding))), \($0.why)" }
                let role = scope.role ?? (scope.bindings.isEmpty ? "-" : scope.bindings.map(\.role).joined(separator: "+"))
                if markdown {
                    out += "| \(name) | \(role) | \(reasons.joined(separator: "<br>")) |\n"
                } else {
                    let pad = { (s: String, n: Int) in s + String(repeating: " ", count: max(1, n - s.count)) }
                    out += "  " + pad(name, 16) + pad(role, 14) + (reasons.first ?? "") + "\n"
                    for more in reasons.dropFirst() { out += String(repeating: " ", count: 32) + more + "\n" }
                }
            }
            out += markdown ? "\n" : "\n"
        }
        return out
    }

    private func json(_ people: [EffectiveAccess.Person], _ query: AccessQuery) -> String {
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

    /// members x apps; a cell is the most permissive built-in role on that scope, else the custom roles
    /// held there, each once, in byte order, joined by "+" ("-" for none).
    private func csv(_ people: [EffectiveAccess.Person]) -> String {
        let apps = Array(Set(people.flatMap(\.apps))).sorted(by: byteOrder)
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = (["org", "email", "status", "org_role"] + apps).map(cell).joined(separator: ",") + "\r\n"
        for person in people {
            let values = [nil] + apps.map(Optional.some)
            let cells = values.map { app -> String in
                guard let scope = person.scope(app), !scope.bindings.isEmpty else { return "-" }
                return scope.role ?? Set(scope.bindings.map(\.role)).sorted(by: byteOrder).joined(separator: "+")
            }
            out += ([person.org, person.email, person.status] + cells).map(cell).joined(separator: ",") + "\r\n"
        }
        return out
    }
}

extension EffectiveAccess.Person {
    /// True when `held` is `wanted`, or both are built-in roles of the scope and `held` ranks at least as high.
    func meets(_ held: String, _ wanted: String, app: String?) -> Bool {
        if held == wanted { return true }
        let catalog = RoleCatalog.builtin(catalog)
        let scope: RoleScope = app == nil ? .org : .app
        guard let h = catalog.role(named: held, in: scope), let w = catalog.role(named: wanted, in: scope) else { return false }
        return h.rank <= w.rank
    }
}
