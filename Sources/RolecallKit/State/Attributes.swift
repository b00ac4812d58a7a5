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
///
/// Attributes read from a state file are usually kept packed (`PackedAttributes`: one byte array,
/// values decoded only when asked for), and become a list when changed.
public struct Attributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, Codable {
    public typealias Element = (key: String, value: Value)

    private enum Storage {
        /// Sorted by key (byte order), keys unique.
        case pairs([Element])
        /// As the state reader found them, when it could keep them packed.
        case packed(PackedAttributes)
    }

    /// One case or the other, so that attributes take no more room than the list alone.
    private var storage: Storage

    public init() { storage = .pairs([]) }

    public init(dictionaryLiteral elements: (String, Value)...) {
        storage = .pairs([])
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
        storage = .pairs(sorted)
    }

    /// Attributes kept packed until they are asked for.
    init(packed: PackedAttributes) {
        storage = .packed(packed)
    }

    /// Whether the attributes are still packed as the state reader found them (for tests).
    var isPacked: Bool {
        if case .packed = storage { return true }
        return false
    }

    /// The pairs, unpacked when packed.
    private var elements: [Element] {
        switch storage {
        case let .pairs(pairs): return pairs
        case let .packed(packed): return packed.elements
        }
    }

    public var count: Int {
        switch storage {
        case let .pairs(pairs): return pairs.count
        case let .packed(packed): return packed.count
        }
    }
    public var isEmpty: Bool { count == 0 }
    public var keys: [String] { elements.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }

    public subscript(key: String) -> Value? {
        get {
            switch storage {
            case let .pairs(pairs):
                for pair in pairs where sameName(pair.key, key) { return pair.value }
                return nil
            case let .packed(packed):
                return packed.value(named: key)
            }
        }
        set {
            var pairs = elements
            storage = .pairs([])  // drops this reference, so the list is changed in place
            defer { storage = .pairs(pairs) }
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

    /// True when both hold the same values, leaving out the attributes named in `ignored`. `other` is
    /// read where it lies when packed (a plan asks this of every resource the state records).
    func sameValues(as other: Attributes, ignoring ignored: [String]) -> Bool {
        if case let .pairs(pairs) = storage, case let .packed(theirs) = other.storage {
            return theirs.sameValues(as: pairs, ignoring: ignored)
        }
        func skipped(_ name: String) -> Bool { ignored.contains { sameName($0, name) } }
        let mine = elements
        let theirs = other.elements
        var a = 0
        var b = 0
        while true {
            while a < mine.count, skipped(mine[a].key) { a += 1 }
            while b < theirs.count, skipped(theirs[b].key) { b += 1 }
            guard a < mine.count, b < theirs.count else { return a == mine.count && b == theirs.count }
            guard mine[a].key == theirs[b].key, mine[a].value == theirs[b].value else { return false }
            a += 1
            b += 1
        }
    }

    public static func == (a: Attributes, b: Attributes) -> Bool {
        if case let .packed(x) = a.storage, case let .packed(y) = b.storage, x.bytes == y.bytes { return true }
        let (x, y) = (a.elements, b.elements)
        return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        let all = elements
        hasher.combine(all.count)
        for pair in all {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }

    public init(from decoder: Decoder) throws {
        self.init()
        for (key, value) in try [String: Value](from: decoder) { self[key] = value }
    }

    public func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: elements.map { ($0.key, $0.value) }).encode(to: encoder)
    }
}
