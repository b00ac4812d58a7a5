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

/// Whether two attribute names are the same. Names of different lengths are told apart without
/// comparing them: `==` on two different strings takes the slow path that allows for Unicode
/// equivalence, and a plan asks this for every attribute of every resource (measured: a no-op plan
/// of a 100k-member org made five million such comparisons).
@inline(__always)
func sameName(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && a == b
}

/// A resource's attributes: a handful of named values, kept sorted by name.
///
/// A sorted array rather than a dictionary: resources have two to eight attributes, and a state of
/// 100k members holds about 200k of them on each side of a plan. Building, comparing and printing a
/// sorted array costs a fraction of hashing every name (measured: the no-op plan of a 100k-member
/// org).
public struct Attributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, Codable {
    public typealias Element = (key: String, value: Value)

    /// Sorted by key (byte order), keys unique.
    private var pairs: [Element]

    public init() { pairs = [] }

    public init(dictionaryLiteral elements: (String, Value)...) {
        pairs = []
        pairs.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    /// Attributes from the pairs `fill` adds (nil values left out), in one allocation of the right
    /// size: the first `Builder.stackCapacity` pairs are gathered on the stack (measured: a list
    /// literal of pairs per resource cost an allocation and a release of its own), any further ones
    /// in an array of their own, so there is no limit. Pairs are best added in name order; others
    /// are sorted.
    @inline(__always)
    init(_ fill: (inout Builder) -> Void) {
        self = withUnsafeTemporaryAllocation(of: Element.self, capacity: Builder.stackCapacity) { scratch in
            var builder = Builder(scratch: scratch)
            fill(&builder)
            let added = UnsafeMutableBufferPointer(rebasing: scratch[0..<builder.count])
            let list = [Element](unsafeUninitializedCapacity: added.count + builder.overflow.count) { buffer, count in
                count = buffer.moveInitialize(fromContentsOf: added)
                count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: builder.overflow)
            }
            if let sorted = Attributes(sorted: list) { return sorted }
            var result = Attributes()
            for (name, value) in list { result[name] = value }
            return result
        }
    }

    /// Gathers the pairs of `init(_:)`.
    struct Builder {
        /// Pairs kept on the stack; more go to `overflow`.
        static let stackCapacity = 8
        fileprivate let scratch: UnsafeMutableBufferPointer<Element>
        fileprivate var count = 0
        /// The pairs added after the stack space was full.
        fileprivate var overflow: [Element] = []

        /// Adds `name` with `value`, or nothing when `value` is nil.
        @inline(__always)
        mutating func add(_ name: String, _ value: Value?) {
            guard let value else { return }
            if count < scratch.count {
                scratch.initializeElement(at: count, to: (name, value))
                count += 1
            } else {
                overflow.append((name, value))
            }
        }
    }

    /// Pairs already sorted by key with no key twice (the state reader's case); checked, not trusted.
    init?(sorted: [Element]) {
        for i in sorted.indices.dropFirst() where !byteOrder(sorted[i - 1].key, sorted[i].key) { return nil }
        pairs = sorted
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    public subscript(key: String) -> Value? {
        get {
            for pair in pairs where sameName(pair.key, key) { return pair.value }
            return nil
        }
        set {
            var i = 0
            while i < pairs.count, byteOrder(pairs[i].key, key) { i += 1 }
            let found = i < pairs.count && pairs[i].key == key
            switch (found, newValue) {
            case let (true, value?): pairs[i].value = value
            case (true, nil): pairs.remove(at: i)
            case let (false, value?): pairs.insert((key, value), at: i)
            case (false, nil): break
            }
        }
    }

    /// True when both hold the same values, ignoring the names in `ignoring`.
    func sameValues(as other: Attributes, ignoring: (String) -> Bool) -> Bool {
        var a = 0
        var b = 0
        while true {
            while a < pairs.count, ignoring(pairs[a].key) { a += 1 }
            while b < other.pairs.count, ignoring(other.pairs[b].key) { b += 1 }
            guard a < pairs.count, b < other.pairs.count else { return a == pairs.count && b == other.pairs.count }
            guard pairs[a].key == other.pairs[b].key, pairs[a].value == other.pairs[b].value else { return false }
            a += 1
            b += 1
        }
    }

    public static func == (a: Attributes, b: Attributes) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pairs.count)
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }

    public init(from decoder: Decoder) throws {
        self.init()
        for (key, value) in try [String: Value](from: decoder) { self[key] = value }
    }

    public func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) }).encode(to: encoder)
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
