import Foundation

/// What rolecall last applied: every resource with its attributes, plus the bookkeeping that lets a
/// saved plan prove it was made against this exact state (lineage and serial).
public struct State: Sendable, Equatable {
    public static let formatVersion = 1

    /// Fixed when the state is first written; a plan made against another lineage is refused.
    public var lineage: String
    /// +1 on every write.
    public var serial: Int
    public var resources: [ResourceID: Attributes]

    public init(lineage: String = UUID().uuidString.lowercased(), serial: Int = 0, resources: [ResourceID: Attributes] = [:]) {
        self.lineage = lineage
        self.serial = serial
        self.resources = resources
    }

    /// Attributes the state records but the manifests do not declare (never a cause for a change).
    public static let stateOnlyAttributes: Set<String> = ["status"]

    public var organizations: [String] { Array(Set(resources.keys.map(\.org))).sorted() }

    /// Applies one change to the state (no I/O).
    public mutating func apply(_ change: Change) {
        switch change.action {
        case .create, .update:
            resources[change.id] = change.after ?? [:]
        case .delete:
            resources[change.id] = nil
        }
    }
}

// MARK: - File format

/// The state file's JSON: sections per org, keys sorted, two-space indent, so that its git diff is
/// readable.
///
/// ```json
/// {"format_version": 1, "lineage": "…", "serial": 3,
///  "orgs": {"acme": {"settings": {…}, "apps": {"production": {…}}, "members": {"jane@acme.com": {…}}, …}}}
/// ```
public enum StateCodec {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case corrupt(String)
        case newerFormat(Int)

        public var description: String {
            switch self {
            case let .corrupt(reason): return "the state file is not valid: \(reason)"
            case let .newerFormat(v):
                return "the state file has format_version \(v), newer than this rolecall understands (\(State.formatVersion)); upgrade rolecall"
            }
        }
    }

    private struct FileVersion: Decodable {
        var format_version: Int
    }

    private struct File: Decodable {
        var format_version: Int
        var lineage: String
        var serial: Int
        var orgs: [String: OrgSections]
    }

    private struct OrgSections: Decodable {
        var settings: Attributes?
        var apps: [String: Attributes]?
        var roles: [String: Attributes]?
        var members: [String: Attributes]?
        var teams: [String: Attributes]?
        var team_memberships: [String: Attributes]?
        var grants: [String: Attributes]?

        subscript(kind: ResourceKind) -> [String: Attributes]? {
            get {
                switch kind {
                case .settings: return settings.map { ["": $0] }
                case .app: return apps
                case .role: return roles
                case .member: return members
                case .team: return teams
                case .teamMembership: return team_memberships
                case .grant: return grants
                }
            }
            set {
                switch kind {
                case .settings: settings = newValue?[""]
                case .app: apps = newValue
                case .role: roles = newValue
                case .member: members = newValue
                case .team: teams = newValue
                case .teamMembership: team_memberships = newValue
                case .grant: grants = newValue
                }
            }
        }
    }

    public static func encode(_ state: State) -> Data {
        var orgs: [String: [String: JSONValue]] = [:]
        var sections: [String: [String: [String: JSONValue]]] = [:]
        for (id, attributes) in state.resources {
            if id.kind == .settings {
                orgs[id.org, default: [:]]["settings"] = json(attributes)
            } else {
                sections[id.org, default: [:]][id.kind.section, default: [:]][id.key] = json(attributes)
            }
        }
        for (org, bySection) in sections {
            for (section, entries) in bySection { orgs[org, default: [:]][section] = .object(entries) }
        }
        let file = JSONValue.object([
            "format_version": .int(State.formatVersion), "lineage": .string(state.lineage), "serial": .int(state.serial),
            "orgs": .object(orgs.mapValues { .object($0) }),
        ])
        return Data(file.pretty.utf8)
    }

    public static func decode(_ data: Data) -> Result<State, Failure> {
        let decoder = JSONDecoder()
        guard let version = try? decoder.decode(FileVersion.self, from: data) else {
            if (try? JSONSerialization.jsonObject(with: data)) == nil {
                return .failure(.corrupt("it is not JSON (truncated or edited by hand?)"))
            }
            return .failure(.corrupt("format_version is missing"))
        }
        if version.format_version > State.formatVersion { return .failure(.newerFormat(version.format_version)) }
        guard version.format_version == State.formatVersion else {
            return .failure(.corrupt("unknown format_version \(version.format_version)"))
        }
        let file: File
        do {
            file = try decoder.decode(File.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            return .failure(.corrupt("'\(path(context.codingPath + [key]))' is missing"))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            return .failure(.corrupt("'\(path(context.codingPath))' has the wrong type"))
        } catch {
            return .failure(.corrupt(String(describing: error)))
        }
        guard !file.lineage.isEmpty, file.serial >= 0 else { return .failure(.corrupt("lineage or serial is invalid")) }
        var resources: [ResourceID: Attributes] = [:]
        for (org, sections) in file.orgs {
            for kind in ResourceKind.allCases {
                for (key, attributes) in sections[kind] ?? [:] {
                    resources[ResourceID(org: org, kind: kind, key: key)] = attributes
                }
            }
        }
        return .success(State(lineage: file.lineage, serial: file.serial, resources: resources))
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
