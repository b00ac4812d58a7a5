import Foundation

/// A resource's attributes as the state file records them, packed into one byte array by the state
/// reader (`JSONParser.packedObject`) and decoded only when asked for.
///
/// A no-op plan compares every resource the state records with the desired one; reading each into a
/// list of strings first made the state reader the largest single part of that plan, and its strings
/// a fifth of the plan's memory. Packed, a resource costs one allocation, and the planner compares it
/// where it lies (`sameValues`). Measured (2026-12-01, release build, no-op plan of a 100k-member
/// org, one binary with packing switched on and off, 31 alternating runs): the state reader's own CPU
/// time 0.63x (median 213 ms against 340), the whole plan 0.87x the median CPU time and 0.95x the
/// median wall time (on two cores the members file is read meanwhile), peak memory 236 MiB against 287.
///
/// Only what is simple to read back is packed: names and string values of ASCII characters without
/// escapes, and booleans. The layout, for each attribute in name order (strictly ascending bytes):
/// the name's length (one byte) and its bytes; then the value: `0` false, `1` true, or `2`, the
/// string's length (four bytes, least significant first) and its bytes.
struct PackedAttributes: Sendable {
    let bytes: [UInt8]

    static let falseTag: UInt8 = 0
    static let trueTag: UInt8 = 1
    static let stringTag: UInt8 = 2

    /// One attribute: where its name and (for a string) its text lie in `bytes`.
    private struct Entry {
        var name: Range<Int>
        var tag: UInt8
        var text: Range<Int>
    }

    /// The attribute at `at`, and where the next one starts.
    @inline(__always)
    private static func entry(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> (Entry, next: Int) {
        let nameEnd = at + 1 + Int(b[at])
        let tag = b[nameEnd]
        guard tag == stringTag else { return (Entry(name: at + 1..<nameEnd, tag: tag, text: nameEnd + 1..<nameEnd + 1), nameEnd + 1) }
        let length = Int(b[nameEnd + 1]) | Int(b[nameEnd + 2]) << 8 | Int(b[nameEnd + 3]) << 16 | Int(b[nameEnd + 4]) << 24
        return (Entry(name: at + 1..<nameEnd, tag: tag, text: nameEnd + 5..<nameEnd + 5 + length), nameEnd + 5 + length)
    }

    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    private static func value(_ b: UnsafeBufferPointer<UInt8>, _ entry: Entry) -> Value {
        entry.tag == stringTag ? .string(string(b, entry.text)) : .bool(entry.tag == trueTag)
    }

    /// Whether the bytes at `range` are `t` (compared in place: most are a few bytes long).
    @inline(__always)
    private static func same(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard t.count == range.count else { return false }
        var i = 0
        while i < t.count {
            guard b[range.lowerBound + i] == t[i] else { return false }
            i += 1
        }
        return true
    }

    /// Whether the (ASCII) bytes at `range` read `text`, whose bytes are `t`. Compared as strings when
    /// they differ and `text` is not ASCII, as `==` on `String` does (the Kelvin sign equals a K).
    private static func reads(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ t: UnsafeBufferPointer<UInt8>,
                              _ text: String) -> Bool {
        same(b, range, t) || (!t.allSatisfy { $0 < 0x80 } && string(b, range) == text)
    }

    private static func isIgnored(_ b: UnsafeBufferPointer<UInt8>, _ name: Range<Int>, _ ignored: [String]) -> Bool {
        ignored.contains { $0.utf8.count == name.count && withBytes($0) { same(b, name, $0) } }
    }

    /// Whether the attribute holds `value`.
    private static func holds(_ b: UnsafeBufferPointer<UInt8>, _ entry: Entry, _ value: Value) -> Bool {
        switch value {
        case let .string(text): return entry.tag == stringTag && withBytes(text) { reads(b, entry.text, $0, text) }
        case let .bool(flag): return entry.tag == (flag ? trueTag : falseTag)
        case .int, .strings, .map: return false
        }
    }

    var count: Int {
        bytes.withUnsafeBufferPointer { b in
            var n = 0
            var at = 0
            while at < b.count {
                at = Self.entry(b, at: at).next
                n += 1
            }
            return n
        }
    }

    /// The attributes unpacked, in name order.
    var elements: [Attributes.Element] {
        bytes.withUnsafeBufferPointer { b in
            var list: [Attributes.Element] = []
            var at = 0
            while at < b.count {
                let (entry, next) = Self.entry(b, at: at)
                list.append((Self.string(b, entry.name), Self.value(b, entry)))
                at = next
            }
            return list
        }
    }

    func value(named name: String) -> Value? {
        bytes.withUnsafeBufferPointer { b in
            withBytes(name) { t in
                var at = 0
                while at < b.count {
                    let (entry, next) = Self.entry(b, at: at)
                    if Self.reads(b, entry.name, t, name) { return Self.value(b, entry) }
                    at = next
                }
                return nil
            }
        }
    }

    /// Whether `pairs` (sorted by name) hold the same values, leaving out the attributes named in `ignored`.
    func sameValues(as pairs: [Attributes.Element], ignoring ignored: [String]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var at = 0
            for pair in pairs where !ignored.contains(where: { sameName($0, pair.key) }) {
                // The attributes before the one named like `pair` must all be ones to leave out.
                let held = withBytes(pair.key) { key -> Bool in
                    while at < b.count {
                        let (entry, next) = Self.entry(b, at: at)
                        at = next
                        if Self.reads(b, entry.name, key, pair.key) { return Self.holds(b, entry, pair.value) }
                        guard Self.isIgnored(b, entry.name, ignored) else { return false }
                    }
                    return false
                }
                guard held else { return false }
            }
            while at < b.count {
                let (entry, next) = Self.entry(b, at: at)
                guard Self.isIgnored(b, entry.name, ignored) else { return false }
                at = next
            }
            return true
        }
    }
}
