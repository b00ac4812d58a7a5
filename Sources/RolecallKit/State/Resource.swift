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
    /// An API key of an app: metadata only, never the secret.
    case apiKey = "api_key"

    public var order: Int {
        switch self {
        case .settings: return 0
        case .app: return 1
        case .role: return 2
        case .member: return 3
        case .team: return 4
        case .teamMembership: return 5
        case .grant: return 6
        case .apiKey: return 7
        }
    }

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
        case .apiKey: return "api_keys"
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

    public static func == (a: ResourceID, b: ResourceID) -> Bool { a.key == b.key && a.kind == b.kind && a.org == b.org }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(kind.order)
        hasher.combine(org)
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

/// Instants in state and plans: RFC 3339 in UTC, to the millisecond.
enum Timestamp {
    /// Whether `text` is a valid instant written exactly as `format` writes years 0 to 9999
    /// (`2026-11-23T12:00:00Z`): such texts sort in time order byte by byte, and `parse` reads them.
    static func isCanonical(_ text: String) -> Bool {
        withBytes(text) { b in
            guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
                  b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z") else { return false }
            func number(_ from: Int, _ count: Int) -> Int? {
                var v = 0
                for i in from..<(from + count) {
                    guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                    v = v * 10 + Int(b[i] - 0x30)
                }
                return v
            }
            guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2), let hh = number(11, 2),
                  let mm = number(14, 2), let ss = number(17, 2) else { return false }
            return (1...12).contains(m) && d >= 1 && d <= CalendarDay.daysInMonth(year: y, month: m) && hh < 24 && mm < 60 && ss < 60
        }
    }

    /// Whole seconds are written as `2026-11-23T12:00:00Z`; an instant with milliseconds keeps them
    /// (`2026-11-23T12:00:00.5Z`, trailing zeros dropped).
    static func format(_ date: Date) -> String {
        let (seconds, millis) = parts(date)
        let whole = format(seconds: seconds)
        guard millis != 0 else { return whole }
        var digits = String(String(millis + 1000).dropFirst())
        while digits.last == "0" { digits.removeLast() }
        return String(whole.dropLast()) + "." + digits + "Z"
    }

    private static func format(seconds: Int) -> String {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(CalendarDay(daysSinceEpoch: days))T\(pad(rest / 3600)):\(pad(rest % 3600 / 60)):\(pad(rest % 60))Z"
    }

    static func parse(_ text: String) -> Date? { parseTimestamp(text) }
}
