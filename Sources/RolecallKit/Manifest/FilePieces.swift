/// A large manifest file read as pieces, side by side.
///
/// libyaml reads a file from start to end on one core: in a no-op plan of a 100k-member org, the
/// members file kept one core busy while the other had finished the other files and the state.
/// A file of at least twice `minimumSize` bytes, in a run with more than one thread, is cut into pieces
/// inside one list of entities (members, grants…), each piece read by a core of its own, and their
/// items joined in order.
///
/// A cut is made only at the start of a line that holds, at some indentation, a dash and a space
/// (or a dash alone): the start of a list item. Each piece after the first is read as the line
/// `key:` followed by its text, where `key` is the nearest line before it that starts at column 1;
/// line numbers are shifted so that every location names the line of the file. The pieces are then
/// checked; every piece must read without error as one document, and:
/// - the first one's root mapping starts at column 1 and ends with `key`, whose value is a list that
///   starts at the cut's indentation;
/// - every later one holds `key` alone, with a list at that same indentation.
///
/// Why that is the whole file: where the first piece ends, libyaml reading the whole file is between
/// two items of that list (inside a quoted scalar or a flow collection, the first piece would end
/// unfinished, an error; a block or plain scalar inside the list ends at a line indented no more than
/// the list's dash; an item of a list nested inside would be indented more). From there the same
/// text gives the same events, and a piece read as `key:` and its text is in the same state after
/// that one line. Anything else, including any error in the file, reads the whole file again, one
/// piece, so that every message is exactly what it was.
enum FilePieces {
    /// The smallest piece: files under twice this size are read whole.
    static let minimumSize = 1 << 20

    /// How many pieces a file of `size` bytes is read as, when `total` bytes are read by `threads`:
    /// pieces of about half of one thread's share, none under `minimumSize`.
    static func count(size: Int, total: Int, threads: Int, minimumSize: Int = minimumSize) -> Int {
        guard threads > 1, size >= 2 * minimumSize else { return 1 }
        let target = max(minimumSize, total / (2 * threads))
        return min(size / minimumSize, (size + target - 1) / target)
    }

    /// Where to cut `bytes` into `count` pieces: after each `j/count` of the text, the first item
    /// line of the least indentation found in the next 64 KiB (an item of a list nested in the items
    /// is indented more). Cuts of another indentation than the first are left out; nil when none is found.
    static func cuts(in bytes: [UInt8], count: Int) -> (indent: Int, offsets: [Int])? {
        var indent: Int?
        var offsets: [Int] = []
        bytes.withUnsafeBufferPointer { text in
            guard text.count > 2 else { return }
            for j in 1..<max(count, 1) {
                let from = max(1, text.count / count * j, (offsets.last ?? 0) + 1)
                guard let item = firstItemLine(in: text, from: from, to: min(text.count - 2, from + 1 << 16)),
                      indent == nil || indent == item.indent else { continue }
                indent = item.indent
                offsets.append(item.offset)
            }
        }
        guard let indent, !offsets.isEmpty else { return nil }
        return (indent, offsets)
    }

    /// The first of the least indented lines between `from` and `limit` that start with a dash and a
    /// space (or a dash alone).
    private static func firstItemLine(in text: UnsafeBufferPointer<UInt8>, from: Int, to limit: Int) -> (offset: Int, indent: Int)? {
        var best: (offset: Int, indent: Int)?
        var i = from
        while i < limit, text[i - 1] != 0x0A { i += 1 }
        while i < limit {
            var dash = i
            while dash < limit, text[dash] == 0x20 { dash += 1 }
            if isItemDash(text, at: dash), dash - i < best?.indent ?? Int.max {
                best = (i, dash - i)
                if dash == i { break }
            }
            while i < limit, text[i] != 0x0A { i += 1 }
            i += 1
        }
        return best
    }

    /// The key of the list a cut at `offset` (a line start) is in, if the nearest line before it that
    /// starts at column 1 (and is not an item, a comment or blank) is a plain key with nothing after
    /// its colon; and the line number of `offset`. Both look at every byte before the cut, so they go
    /// by blocks of 255 bytes, in loops written so that the compiler turns them into vector
    /// instructions (`for i in range` over `text[i]` was not, and cost 15 ms of the 100k-member file).
    static func context(before offset: Int, in bytes: [UInt8]) -> (key: String?, line: Int) {
        bytes.withUnsafeBufferPointer { text in
            guard let bytes = text.baseAddress else { return (nil, 1) }
            var line = 1
            var block = 0
            while block < offset {
                let end = min(offset, block &+ 255)
                var breaks: UInt8 = 0
                var i = block
                while i < end {
                    breaks &+= bytes[i] == 0x0A ? 1 : 0
                    i &+= 1
                }
                line += Int(breaks)
                block = end
            }
            return (keyLine(before: offset, in: text).flatMap { key(at: $0, in: text) }, line)
        }
    }

    /// The start of the nearest line before `offset` that starts at column 1 with something other
    /// than an item's dash, a comment or white space.
    private static func keyLine(before offset: Int, in text: UnsafeBufferPointer<UInt8>) -> Int? {
        func startsKeyLine(_ start: Int) -> Bool {
            switch text[start] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x23: return false
            case 0x2D: return !isItemDash(text, at: start)
            default: return true
            }
        }
        // Blocks ending at `end`: a line break followed by anything but a space marks a block to search.
        guard let bytes = text.baseAddress else { return nil }
        var end = offset - 1
        while end > 0 {
            let start = max(0, end - 255)
            var marks: UInt8 = 0
            var i = start
            while i < end {
                marks |= (bytes[i] == 0x0A ? 1 : 0) & (bytes[i &+ 1] != 0x20 ? 1 : 0)
                i &+= 1
            }
            if marks != 0 {
                for i in stride(from: end - 1, through: start, by: -1) where text[i] == 0x0A && startsKeyLine(i + 1) {
                    return i + 1
                }
            }
            end = start
        }
        return startsKeyLine(0) ? 0 : nil
    }

    /// A dash followed by a space or a line break: the start of a list item.
    private static func isItemDash(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        text[i] == 0x2D && (text[i + 1] == 0x20 || text[i + 1] == 0x0A || text[i + 1] == 0x0D)
    }

    /// `name:` alone on its line (a comment may follow), name letters, digits, `_` and `-`.
    private static func key(at start: Int, in text: UnsafeBufferPointer<UInt8>) -> String? {
        var end = start
        while end < text.count, isKeyByte(text[end]) { end += 1 }
        guard end > start, end < text.count, text[end] == 0x3A else { return nil }
        var rest = end + 1
        while rest < text.count, text[rest] == 0x20 || text[rest] == 0x09 { rest += 1 }
        guard rest == text.count || text[rest] == 0x0A || text[rest] == 0x0D || (text[rest] == 0x23 && rest > end + 1) else {
            return nil
        }
        return String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x2D
    }

    /// What reading one piece gave.
    struct Read: Sendable {
        var documents: Result<[YAMLDocument], YAMLError>
        /// The items taken, by document index.
        var items: [DecodedItems]
        /// For a piece after the first: the key it was read under.
        var key: String?
    }

    /// The pieces' documents and items as the whole file's, or nil when a check above fails. The
    /// items are moved out of `pieces`, which is left empty.
    static func join(_ pieces: inout [Read], indent: Int) -> (documents: [YAMLDocument], items: [DecodedItems])? {
        guard case let .success(documents) = pieces[0].documents, documents.count == 1,
              let root = documents[0].root, root.mark.column == 1, case let .mapping(pairs) = root.content,
              let last = pairs.last, let key = last.key.scalarText, isList(last.value, indent: indent) else { return nil }
        for piece in pieces.dropFirst() {
            guard piece.key == key, case let .success(more) = piece.documents, more.count == 1,
                  case let .mapping(morePairs)? = more[0].root?.content, morePairs.count == 1,
                  morePairs[0].key.scalarText == key, isList(morePairs[0].value, indent: indent) else { return nil }
        }
        var parts = pieces.indices.map { index in
            var items = DecodedItems()
            if !pieces[index].items.isEmpty { swap(&items, &pieces[index].items[0]) }
            return items
        }
        pieces = []
        return (documents, [DecodedItems.joined(&parts)])
    }

    private static func isList(_ node: YAMLNode, indent: Int) -> Bool {
        guard case .sequence = node.content else { return false }
        return node.mark.column == indent + 1
    }
}
