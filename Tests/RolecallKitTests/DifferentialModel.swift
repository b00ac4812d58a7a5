import Foundation
@testable import RolecallKit

/// An org as the differential test generates it. The model below reads this, never the manifest or
/// rolecall's desired state, and applies each catalog's rules as the product documents and the
/// README's stated decisions give them. It shares only data with rolecall: the permissions of the
/// built-in roles (RoleCatalog) and the tz database (through Foundation's Calendar).
struct ModelOrg {
    enum Ending {
        /// `expires: YYYY-MM-DD`: through that day in the org's zone.
        case day(year: Int, month: Int, day: Int)
        /// `expires: <RFC 3339 instant>`, to the millisecond.
        case instant(Date)
    }
    struct Member { var email: String; var role: String; var sso: Bool; var expires: Ending? }
    struct Binding { var role: String; var app: String?; var expires: Ending? }
    struct Team { var name: String; var members: [(email: String, expires: Ending?)]; var roles: [Binding]; var asGrants: Bool }

    var catalog: CatalogID
    var zone: String
    var apps: [(name: String, isPublic: Bool)]
    var customOrg: [String: [String]]
    var customApp: [String: [String]]
    var members: [Member]
    var teams: [Team]
    /// Direct grants, by member e-mail (as written).
    var grants: [(member: String, binding: Binding)]
}

/// What one person can do on one scope, as `rolecall access --format json` reports it.
struct ModelScope: Equatable, CustomStringConvertible {
    var app: String?
    /// (role, source, expiry) of each binding that counts, sorted.
    var counted: [String]
    /// (role, source) of each binding set aside, sorted.
    var aside: [String]
    var role: String?
    var permissions: [String]

    var description: String {
        "\(app ?? "org"): role \(role ?? "-"), counted \(counted), aside \(aside), permissions \(permissions)"
    }
}

enum Model {
    /// Built-in roles, most permissive first (the catalogs' role tables in the product documents).
    static func ranks(_ catalog: CatalogID, app: Bool) -> [String] {
        switch (catalog, app) {
        case (.logrocket, false): return ["owner", "admin", "member"]
        case (.logrocket, true): return ["admin", "member", "viewer"]
        case (.launchdarkly, false): return ["owner", "admin", "writer", "reader", "no_access"]
        case (.rudderstack, false): return ["admin", "read_write", "view_only"]
        case (.logfire, false): return ["admin", "member", "guest"]
        case (.logfire, true): return ["admin", "write", "read"]
        default: return []
        }
    }

    /// The first instant without access.
    static func end(_ ending: ModelOrg.Ending, zone: TimeZone) -> Date {
        switch ending {
        case let .instant(date): return date
        case let .day(y, m, d):
            // The next local day's first instant: the start of the day that holds noon of D + 1.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let noon = calendar.date(from: DateComponents(year: y, month: m, day: d + 1, hour: 12)) ?? Date.distantPast
            return calendar.startOfDay(for: noon)
        }
    }

    /// Everyone's access, by lower-case e-mail: per scope, org first, then apps by name.
    static func access(_ org: ModelOrg, now: Date) -> [String: (status: String, scopes: [ModelScope])] {
        let zone = TimeZone(identifier: org.zone) ?? TimeZone(secondsFromGMT: 0)!
        func live(_ e: ModelOrg.Ending?) -> Date?? {
            guard let e else { return .some(nil) }
            let at = end(e, zone: zone)
            // Instants compare in whole milliseconds, the precision manifests carry (README).
            return millis(at) > millis(now) ? .some(at) : nil
        }
        var out: [String: (String, [ModelScope])] = [:]
        for member in org.members {
            guard let memberEnd = live(member.expires) else { continue }
            let email = member.email.lowercased()
            var orgCounted: [(role: String, source: String, end: Date?)] = []
            var appCounted: [String: [(role: String, source: String, end: Date?)]] = [:]
            var direct = false
            for (who, b) in org.grants where who.lowercased() == email {
                guard let e = live(b.expires) else { continue }
                direct = true
                if let app = b.app { appCounted[app, default: []].append((b.role, "grant", e)) } else { orgCounted.append((b.role, "grant", e)) }
            }
            for team in org.teams where team.members.contains(where: { $0.email.lowercased() == email && live($0.expires) != nil }) {
                for b in team.roles {
                    guard let e = live(b.expires) else { continue }
                    if let app = b.app { appCounted[app, default: []].append((b.role, "team \(team.name)", e)) } else { orgCounted.append((b.role, "team \(team.name)", e)) }
                }
            }
            var orgAside: [(role: String, source: String, end: Date?)] = []
            let base = (role: member.role, source: "base role", end: memberEnd)
            // LaunchDarkly: "If a member is directly assigned a role ... that role is used instead of the
            // member's base role"; team roles are "used in addition". Direct grants on projects too (README).
            if org.catalog == .launchdarkly, direct { orgAside.append(base) } else { orgCounted.append(base) }
            let status = member.sso ? "active" : "invited"
            var scopes = [scope(org, nil, orgCounted, orgAside)]
            for app in org.apps.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
                var explicit = appCounted[app.name] ?? []
                var aside: [(role: String, source: String, end: Date?)] = []
                // LogRocket: "App access can only be assigned after they join the organization."
                if org.catalog == .logrocket, status != "active" {
                    aside += explicit
                    explicit = []
                }
                var implied: [(role: String, source: String, end: Date?)] = []
                for b in orgCounted {
                    switch (org.catalog, b.role) {
                    case (.logrocket, "owner"), (.logfire, "admin"): implied.append(("admin", "org role \(b.role)", b.end))
                    case (.logfire, "member") where app.isPublic: implied.append(("write", "org role member", b.end))
                    default: break
                    }
                }
                // Logfire: with a project role "the project permissions from their organization role will not apply".
                if org.catalog == .logfire, !explicit.isEmpty {
                    aside += implied
                    implied = []
                }
                if explicit.isEmpty, implied.isEmpty, aside.isEmpty { continue }
                scopes.append(scope(org, app.name, explicit + implied, aside))
            }
            out[email] = (status, scopes)
        }
        return out
    }

    private static func scope(_ org: ModelOrg, _ app: String?, _ counted: [(role: String, source: String, end: Date?)],
                              _ aside: [(role: String, source: String, end: Date?)]) -> ModelScope {
        let ranks = ranks(org.catalog, app: app != nil)
        let role = ranks.first { r in counted.contains { $0.role == r } }
        let catalog = RoleCatalog.builtin(org.catalog)
        var permissions = Set<String>()
        for b in counted {
            let builtin = catalog.role(named: b.role, in: app == nil ? .org : .app).map { Array($0.permissions) }
            permissions.formUnion(builtin ?? (app == nil ? org.customOrg : org.customApp)[b.role] ?? [])
        }
        return ModelScope(app: app, counted: counted.map { "\($0.role) (\($0.source)) until \(describe($0.end))" }.sorted(),
                          aside: aside.map { "\($0.role) (\($0.source))" }.sorted(), role: role, permissions: permissions.sorted())
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func describe(_ date: Date?) -> String {
        guard let date else { return "-" }
        return "\(millis(date)) ms"
    }
}
