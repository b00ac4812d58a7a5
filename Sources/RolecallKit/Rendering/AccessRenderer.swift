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

/// Renders answers to access questions with the formatter of its format (see `Formatters.swift`).
public struct AccessRenderer: Sendable {
    public var format: AccessFormat

    public init(format: AccessFormat) {
        self.format = format
    }

    public var formatter: any AccessFormatter {
        switch format {
        case .text: return TextFormatter()
        case .json: return JSONFormatter()
        case .markdown: return MarkdownFormatter()
        case .csv: return CSVFormatter()
        }
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
        let formatter = self.formatter
        var people = people
        if case let .who(app, _, _) = query, !formatter.showsEveryScope {
            people = people.map { p in
                var only = p
                only.scopes = p.scopes.filter { $0.app == app }
                return only
            }
        }
        return formatter.access(people, query: query)
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
