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
    public static let stateOnlyAttributes: Set<String> = ["status", "invited_at", "accepted_at"]

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
        let root: JSONValue
        do {
            root = try JSONParser.parse([UInt8](data))
        } catch {
            return .failure(.corrupt("it is not JSON (truncated or edited by hand?): \(error)"))
        }
        guard case let .object(file) = root else { return .failure(.corrupt("the top level is not an object")) }
        guard case let .int(version)? = file["format_version"] else { return .failure(.corrupt("format_version is missing")) }
        if version > State.formatVersion { return .failure(.newerFormat(version)) }
        guard version == State.formatVersion else { return .failure(.corrupt("unknown format_version \(version)")) }
        guard case let .string(lineage)? = file["lineage"], !lineage.isEmpty else { return .failure(.corrupt("lineage is missing")) }
        guard case let .int(serial)? = file["serial"], serial >= 0 else { return .failure(.corrupt("serial is missing")) }
        guard case let .object(orgs)? = file["orgs"] else { return .failure(.corrupt("orgs is missing")) }
        let kinds = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0.section, $0) })
        var resources: [ResourceID: Attributes] = [:]
        for (org, value) in orgs {
            guard case let .object(sections) = value else { return .failure(.corrupt("orgs.\(org) is not an object")) }
            for (section, entries) in sections {
                guard let kind = kinds[section] else { return .failure(.corrupt("orgs.\(org).\(section) is not a known section")) }
                if kind == .settings {
                    guard let attributes = attributes(entries) else { return .failure(.corrupt("orgs.\(org).settings is not valid")) }
                    resources[ResourceID(org: org, kind: .settings, key: "")] = attributes
                    continue
                }
                guard case let .object(map) = entries else { return .failure(.corrupt("orgs.\(org).\(section) is not an object")) }
                for (key, raw) in map {
                    guard let attributes = attributes(raw) else {
                        return .failure(.corrupt("orgs.\(org).\(section).\(key) is not valid"))
                    }
                    resources[ResourceID(org: org, kind: kind, key: key)] = attributes
                }
            }
        }
        return .success(State(lineage: lineage, serial: serial, resources: resources))
    }

    private static func attributes(_ raw: JSONValue) -> Attributes? {
        guard case let .object(members) = raw else { return nil }
        var result: Attributes = [:]
        for (key, json) in members {
            guard let value = Value(json) else { return nil }
            result[key] = value
        }
        return result
    }
}
