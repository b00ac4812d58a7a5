/// Built-in role catalogs are data: every catalog lists its roles per scope, ordered by rank
/// (most permissive first), each with its permissions. Validation only needs names and scopes;
/// effective-access rules build on the same values.

/// Where a role can be bound: on the whole organization, or on one app (project, environment).
public enum RoleScope: String, Sendable, Hashable, Codable, CaseIterable {
    case org
    case app
}

/// The built-in catalogs, named as in `settings.catalog`.
public enum CatalogID: String, Sendable, Hashable, Codable, CaseIterable {
    case logrocket
    case launchdarkly
    case rudderstack
    case logfire
    case custom
}

/// One built-in role.
public struct RoleDefinition: Sendable, Hashable {
    /// The name used in manifests (`role: admin`).
    public let name: String
    public let scope: RoleScope
    /// 0 is the most permissive role of its scope; larger numbers are less permissive.
    public let rank: Int
    /// Permission identifiers, `area.action` (e.g. `sources.delete`).
    public let permissions: Set<String>
    public let summary: String

    public init(name: String, scope: RoleScope, rank: Int, permissions: Set<String>, summary: String) {
        self.name = name
        self.scope = scope
        self.rank = rank
        self.permissions = permissions
        self.summary = summary
    }
}

/// A named seat plan (`settings.plan`): `seats == nil` means unlimited.
public struct SeatPlan: Sendable, Hashable {
    public let name: String
    public let seats: Int?

    public init(name: String, seats: Int?) {
        self.name = name
        self.seats = seats
    }
}

/// A built-in role catalog.
public struct RoleCatalog: Sendable {
    public let id: CatalogID
    /// Product name for messages ("LaunchDarkly").
    public let displayName: String
    /// Organization roles, most permissive first.
    public let orgRoles: [RoleDefinition]
    /// App (project, environment) roles, most permissive first.
    public let appRoles: [RoleDefinition]
    /// Seat plans this product sells; empty when it has none.
    public let seatPlans: [SeatPlan]
    /// Every permission identifier the catalog knows; custom roles are checked against it.
    /// Empty means any well-formed identifier is accepted.
    public let permissionVocabulary: Set<String>
    /// The seed document the catalog is specified from (`../shared/seeds/...`).
    public let source: String

    public init(
        id: CatalogID, displayName: String, orgRoles: [RoleDefinition], appRoles: [RoleDefinition],
        seatPlans: [SeatPlan], permissionVocabulary: Set<String>, source: String
    ) {
        self.id = id
        self.displayName = displayName
        self.orgRoles = orgRoles
        self.appRoles = appRoles
        self.seatPlans = seatPlans
        self.permissionVocabulary = permissionVocabulary
        self.source = source
    }

    public func roles(in scope: RoleScope) -> [RoleDefinition] {
        scope == .org ? orgRoles : appRoles
    }

    public func role(named name: String, in scope: RoleScope) -> RoleDefinition? {
        roles(in: scope).first { $0.name == name }
    }

    public func seatPlan(named name: String) -> SeatPlan? {
        seatPlans.first { $0.name == name }
    }

    /// The catalog for an id.
    public static func builtin(_ id: CatalogID) -> RoleCatalog {
        switch id {
        case .logrocket: return .logrocket
        case .launchdarkly: return .launchdarkly
        case .rudderstack: return .rudderstack
        case .logfire: return .logfire
        case .custom: return .custom
        }
    }

    /// The empty catalog: every role comes from the manifests.
    public static let custom = RoleCatalog(
        id: .custom, displayName: "custom", orgRoles: [], appRoles: [], seatPlans: [],
        permissionVocabulary: [], source: "")
}
