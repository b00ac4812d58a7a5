import Foundation

extension PackedAttributes {
    /// At most this many attributes are packed; a resource with more is read member by member.
    static let maxCount = 16

    /// Where one attribute of the object being packed lies in the text.
    private struct Found {
        var name: Range<Int>
        var tag: UInt8
        var text: Range<Int>
    }

    /// Packs the JSON object at `start` in `text`: the attributes and where the object ends, or nil
    /// when it is not one `JSONParser.packedObject` packs. One pass finds the attributes and checks
    /// them, then the result is filled in, in an array of the exact size.
    static func pack(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> (attributes: PackedAttributes, end: Int)? {
        withUnsafeTemporaryAllocation(of: Found.self, capacity: maxCount) { found in
            var scan = Scanner(text: text, at: start)
            guard scan.take("{") else { return nil }
            var count = 0
            var size = 0
            while true {
                scan.skipSpace()
                guard count < maxCount, let name = scan.plainString(), (1...255).contains(name.count) else { return nil }
                if count > 0 {
                    let previous = found[count - 1].name
                    guard UnsafeBufferPointer(rebasing: text[previous]).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: text[name]))
                    else { return nil }
                }
                scan.skipSpace()
                guard scan.take(":") else { return nil }
                scan.skipSpace()
                var entry = Found(name: name, tag: stringTag, text: 0..<0)
                if let value = scan.plainString() {
                    guard value.count <= Int(UInt32.max) else { return nil }
                    entry.text = value
                } else if scan.take("true") {
                    entry.tag = trueTag
                } else if scan.take("false") {
                    entry.tag = falseTag
                } else {
                    return nil
                }
                found.initializeElement(at: count, to: entry)
                count += 1
                size += 2 + name.count + (entry.tag == stringTag ? 4 + entry.text.count : 0)
                scan.skipSpace()
                if scan.take("}") { break }
                guard scan.take(",") else { return nil }
            }
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { out, filled in
                var at = 0
                func copy(_ range: Range<Int>) {
                    _ = UnsafeMutableBufferPointer(rebasing: out[at..<at + range.count]).initialize(fromContentsOf: UnsafeBufferPointer(rebasing: text[range]))
                    at += range.count
                }
                for entry in UnsafeBufferPointer(rebasing: found[0..<count]) {
                    out[at] = UInt8(entry.name.count)
                    at += 1
                    copy(entry.name)
                    out[at] = entry.tag
                    at += 1
                    guard entry.tag == stringTag else { continue }
                    for shift in stride(from: 0, to: 32, by: 8) {
                        out[at] = UInt8(truncatingIfNeeded: entry.text.count >> shift)
                        at += 1
                    }
                    copy(entry.text)
                }
                filled = at
            }
            return (PackedAttributes(bytes: bytes), scan.at)
        }
    }

    /// Reads the tokens of one object.
    private struct Scanner {
        let text: UnsafeBufferPointer<UInt8>
        var at: Int

        mutating func skipSpace() {
            while at < text.count, JSONParser.isSpace(text[at]) { at += 1 }
        }

        /// Consumes `word` when it comes next.
        mutating func take(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard at + n <= text.count, memcmp(text.baseAddress! + at, word.utf8Start, n) == 0 else { return false }
            at += n
            return true
        }

        /// A string without escapes, control characters or bytes beyond ASCII: the range of its
        /// text (quotes consumed); nil, with nothing consumed, for anything else.
        mutating func plainString() -> Range<Int>? {
            guard at < text.count, text[at] == UInt8(ascii: "\"") else { return nil }
            let (end, high) = JSONParser.plainRun(text, from: at + 1)
            guard end < text.count, text[end] == UInt8(ascii: "\""), high < 0x80 else { return nil }
            defer { at = end + 1 }
            return (at + 1)..<end
        }
    }
}
