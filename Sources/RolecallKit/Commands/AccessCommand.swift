import Foundation

/// `rolecall access`.
public struct AccessRequest: Sendable {
    /// The folder of manifests (ignored when `state` is set).
    public var folder = "."
    /// What this person can do.
    public var email: String?
    /// Who can act on this app, with at least this role or with this permission.
    public var app: String?
    public var role: String?
    public var permission: String?
    /// Answer from this state instead of the manifests.
    public var state: (any StateBackend)?
    public var format: AccessFormat = .text
    public var now = Date()
    public var reading = ReadOptions()
    /// Answer as of this past instant, from the audit log (`--at`).
    public var at: Date?
    /// The audit log `--at` replays.
    public var auditPath: String?

    public init() {}

    public var query: AccessQuery {
        if let email { return .person(email: email) }
        if app != nil || role != nil || permission != nil { return .who(app: app, role: role, permission: permission) }
        return .matrix
    }
}

extension Commands {
    /// Answers an access question from the manifests (at `now`) or the recorded state. An app, role or
    /// permission that exists nowhere is an error with a did-you-mean, not an empty answer.
    public static func access(_ request: AccessRequest) -> CommandResult {
        if let at = request.at { return accessAt(request, at: at) }
        let resources: ResourceTable
        var warnings: [Diagnostic] = []
        if let backend = request.state {
            switch backend.readOrDiagnose() {
            case let .success(recorded?): resources = recorded.resources
            case .success(nil): return .failure(.noState, "no state at \(backend.location)")
            case let .failure(problem): return CommandResult(diagnostics: [problem], exitCode: 1)
            }
        } else {
            var loader = ManifestLoader(now: request.now)
            loader.reading = request.reading
            let loaded = loader.load(request.folder)
            warnings = loaded.diagnostics
            guard let manifest = loaded.manifest else { return CommandResult(diagnostics: warnings, exitCode: 1) }
            resources = ResourceTable(DesiredState(manifest, now: request.now).resources)
        }
        let unknown = AccessVocabulary(resources).problems(app: request.app, role: request.role, permission: request.permission)
        guard unknown.isEmpty else { return CommandResult(diagnostics: warnings + unknown, exitCode: 1, retained: [resources]) }
        let query = request.query
        let people = AccessRenderer.select(EffectiveAccess.compute(resources, now: request.now), query)
        if case let .person(email) = query, people.isEmpty {
            return CommandResult(diagnostics: warnings + [.error(.notAMemberHere, "\(email) is not a member of any org here", at: nil)], exitCode: 1)
        }
        return CommandResult(output: AccessRenderer(format: request.format).render(people, query: query), diagnostics: warnings,
                             retained: [resources, people])
    }
}

/// The apps, roles and permissions an access question may name: the apps declared, the roles of each
/// org's catalog and its custom roles (per scope), and every permission of those roles and catalogs.
struct AccessVocabulary {
    var apps: Set<String> = []
    var roles: [RoleScope: Set<String>] = [:]
    var permissions: Set<String> = []

    init(_ resources: ResourceTable) {
        var catalogs: Set<CatalogID> = []
        for (id, attributes) in resources {
            switch id.kind {
            case .app: apps.insert(id.key)
            case .settings:
                if case let .string(name)? = attributes["catalog"], let catalog = CatalogID(rawValue: name) { catalogs.insert(catalog) }
            case .role:
                if case let .string(scope)? = attributes["scope"], let scope = RoleScope(rawValue: scope) {
                    roles[scope, default: []].insert(id.key)
                }
                if case let .strings(held)? = attributes["permissions"] { permissions.formUnion(held) }
            default: break
            }
        }
        for catalog in catalogs.map(RoleCatalog.builtin) {
            for scope in RoleScope.allCases {
                roles[scope, default: []].formUnion(catalog.roles(in: scope).map(\.name))
                for role in catalog.roles(in: scope) { permissions.formUnion(role.permissions) }
            }
            permissions.formUnion(catalog.permissionVocabulary)
        }
    }

    /// An error per name that exists nowhere, with the nearest known name.
    func problems(app: String?, role: String?, permission: String?) -> [Diagnostic] {
        var found: [Diagnostic] = []
        func check(_ name: String?, in known: Set<String>, _ what: String) {
            guard let name, !known.contains(name) else { return }
            let hint = Suggest.hint(for: name, among: known.sorted(by: byteOrder))
            found.append(.error(.unknownAccessName, "no \(what) '\(name)' here\(hint)", at: nil))
        }
        check(app, in: apps, "app")
        let scope: RoleScope = app == nil ? .org : .app
        check(role, in: roles[scope] ?? [], scope == .org ? "org role" : "app role")
        check(permission, in: permissions, "permission")
        return found
    }
}
