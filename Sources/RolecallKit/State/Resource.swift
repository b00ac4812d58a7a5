import Foundation

/// Desired and current state share one flat shape: resources keyed by (org, kind, key), each with a
/// small map of attributes. The planner diffs two such sets; apply edits one. Keeping the shape flat
/// and generic is what makes the plan exact and order-independent.

/// Kinds in creation order: parents before children. Deletion runs in the reverse order.
public enum ResourceKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case settings
    case app
    case role
    case member
    case team
    case teamMembership = "team_membership"
    case grant

    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: ResourceKind, b: ResourceKind) -> Bool { a.order < b.order }

    /// Plural name used as the section name in the state file.
    public var section: String {
        switch self {
        case .settings: return "settings"
        case .app: return "apps"
        case .role: return "roles"
        case .member: return "members"
        case .team: return "teams"
        case .teamMembership: return "team_memberships"
        case .grant: return "grants"
        }
    }

    /// Words for plan output ("team membership").
    public var noun: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// An attribute value. Only the forms the manifest language has.
public enum Value: Sendable, Hashable, Codable, CustomStringConvertible {
    case string(String)
    case bool(Bool)
    case int(Int)
    case strings([String])
    case map([String: [String]])

    /// The value a JSON value stands for; nil for JSON that is no attribute value (null, numbers in lists…).
    init?(_ json: JSONValue) {
        switch json {
        case let .string(s): self = .string(s)
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .array(items):
            var strings: [String] = []
            for item in items {
                guard case let .string(s) = item else { return nil }
                strings.append(s)
            }
            self = .strings(strings)
        case let .object(members):
            var lists: [String: [String]] = [:]
            for (name, item) in members {
                guard case let .strings(values)? = Value(item) else { return nil }
                lists[name] = values
            }
            self = .map(lists)
        case .null: return nil
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let value = Value(try c.decode(JSONValue.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported attribute value")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(s): try c.encode(s)
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .strings(l): try c.encode(l)
        case let .map(m): try c.encode(m)
        }
    }

    /// How a value reads in a plan: strings quoted, lists in brackets.
    public var description: String {
        switch self {
        case let .string(s): return "\"\(s)\""
        case let .bool(b): return String(b)
        case let .int(i): return String(i)
        case let .strings(l): return "[" + l.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case let .map(m):
            return "{" + m.keys.sorted().map { k in "\(k): " + Value.strings(m[k] ?? []).description }.joined(separator: ", ") + "}"
        }
    }
}

public typealias Attributes = [String: Value]

extension Value {
    var json: JSONValue {
        switch self {
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .strings(l): return .array(l.map(JSONValue.string))
        case let .map(m): return .object(m.mapValues { .array($0.map(JSONValue.string)) })
        }
    }
}

func json(_ attributes: Attributes) -> JSONValue {
    .object(attributes.mapValues(\.json))
}

/// Identity of a resource.
public struct ResourceID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var org: String
    public var kind: ResourceKind
    /// Unique within (org, kind): an app or team name, a lower-case e-mail, `team/e-mail`, or a grant key.
    public var key: String

    public init(org: String, kind: ResourceKind, key: String) {
        self.org = org
        self.kind = kind
        self.key = key
    }

    public static func < (a: ResourceID, b: ResourceID) -> Bool {
        if a.org != b.org { return byteOrder(a.org, b.org) }
        if a.kind != b.kind { return a.kind.order < b.kind.order }
        return byteOrder(a.key, b.key)
    }

    public var description: String { kind == .settings ? "settings of \(org)" : "\(kind.noun) \(key)" }
}

extension GrantKey {
    /// The grant's key in state and plans: `member:jane@acme.com:admin@production`, `team:support:viewer@org`.
    public var stateKey: String {
        let who: String
        switch subject {
        case let .member(email): who = "member:\(email)"
        case let .team(name): who = "team:\(name)"
        }
        return "\(who):\(role)@\(app ?? "org")"
    }
}

/// Instants in state and plans: RFC 3339 in UTC, whole seconds.
enum Timestamp {
    static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        // civil_from_days (Howard Hinnant)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int, _ w: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m))-\(pad(d))T\(pad(rest / 3600)):\(pad(rest % 3600 / 60)):\(pad(rest % 60))Z"
    }

    static func parse(_ text: String) -> Date? { parseTimestamp(text) }
}
