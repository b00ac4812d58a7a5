import CYAML

/// Reads YAML text into `YAMLDocument`s through libyaml's event API.
///
/// Safe on hostile input by construction: anchors, aliases and tags are rejected (so no alias
/// expansion can blow up), nesting depth and scalar size are bounded, duplicate keys are errors
/// naming both places, and encoding problems are reported with line and column.
public struct YAMLReader: Sendable {
    /// Deepest nesting of sequences and mappings accepted. Manifests need about six.
    public var maxDepth = 64
    /// Largest scalar accepted, in bytes.
    public var maxScalarBytes = 65_536

    public init() {}

    /// Reads every document of `bytes`. `file` is the path used in locations.
    public func read(_ input: [UInt8], file: String) -> Result<[YAMLDocument], YAMLError> {
        var keepAll = KeepAll()
        return read(input, file: file, items: &keepAll)
    }

    /// Reads every document of `bytes`, offering each item of a top-level list to `items` as soon as
    /// the item is complete (see `YAMLItemConsumer`). Items it takes are left out of the documents.
    public func read<Items: YAMLItemConsumer>(_ input: [UInt8], file: String,
                                              items: inout Items) -> Result<[YAMLDocument], YAMLError> {
        read(input, file: file, items: &items, lineOffset: 0)
    }

    /// As above, for text that is part of a file: `lineOffset` is added to every line number, so that
    /// locations name the line of the file (see `FilePieces`).
    func read<Items: YAMLItemConsumer>(_ input: [UInt8], file: String, items: inout Items,
                                       lineOffset: Int) -> Result<[YAMLDocument], YAMLError> {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if input.starts(with: [0xFF, 0xFE]) || input.starts(with: [0xFE, 0xFF]) || input.starts(with: [0, 0, 0xFE, 0xFF]) {
            return .failure(YAMLError(code: .notUTF8, message: "file is encoded as UTF-16 or UTF-32; save it as UTF-8", location: start, notes: []))
        }
        // A UTF-8 byte order mark is allowed and dropped, so that line 1's columns match what editors show.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(YAMLError(code: .outOfMemory, message: "out of memory while starting the YAML parser",
                                      location: SourceLocation(file: file, line: 1, column: 1), notes: []))
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        return bytes.withUnsafeBufferPointer { buffer -> Result<[YAMLDocument], YAMLError> in
            // libyaml wants a non-null pointer even for empty input.
            let empty: [UInt8] = [0]
            return empty.withUnsafeBufferPointer { fallback in
                let base = buffer.baseAddress ?? fallback.baseAddress
                guard let base else {
                    return .success([])
                }
                yaml_parser_set_input_string(&parser, base, buffer.count)
                var builder = TreeBuilder(file: file, bytes: buffer, reader: self, items: items, lineOffset: lineOffset)
                defer { items = builder.items }
                return builder.run(&parser)
            }
        }
    }
}

/// Receives the items of a document's top-level lists while the document is read: for
/// `members: [a, b]` at the top of a document, `a` and then `b`, each as soon as it is complete.
/// An item taken is left out of the tree, so a file of 100k members is never held whole: each item
/// is turned into the model while it is fresh in the cache, and its memory is used again for the next.
public protocol YAMLItemConsumer {
    /// Offers `item`, of the list under `key` in the top-level mapping of document `document`
    /// (counted from 0). Returns whether it was taken.
    mutating func take(_ item: YAMLNode, key: String, document: Int) -> Bool

    /// Offers such an item that is a mapping before it is made a node: its keys and values, in
    /// order, where the reader holds them (`pairs`: key, value, key, value…), and where it starts.
    /// Returns whether it was taken; one not taken is offered again as a node.
    mutating func take(mapping pairs: UnsafeBufferPointer<YAMLNode>, at mark: YAMLMark, key: String, document: Int) -> Bool
}

extension YAMLItemConsumer {
    func take(mapping pairs: UnsafeBufferPointer<YAMLNode>, at mark: YAMLMark, key: String, document: Int) -> Bool { false }
}

/// Takes nothing: the whole tree is kept.
struct KeepAll: YAMLItemConsumer {
    func take(_ item: YAMLNode, key: String, document: Int) -> Bool { false }
}

/// Turns the event stream into trees, one document at a time, without recursion.
private struct TreeBuilder<Items: YAMLItemConsumer> {
    let file: String
    let bytes: UnsafeBufferPointer<UInt8>
    let reader: YAMLReader
    var items: Items
    /// Added to libyaml's line numbers (see `YAMLReader.read(_:file:items:lineOffset:)`).
    let lineOffset: Int

    /// An open collection. Its children so far are `values[start...]` (for a mapping: key, value,
    /// key, value…), so no collection grows an array of its own while it is read: each gets one,
    /// exactly sized, when it ends (measured: a third of the time of reading a 100k-member file
    /// went to growing and copying per-collection arrays).
    private struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var start: Int
        /// Keys seen so far, built once a mapping is large enough for a scan to cost more.
        var index: [String: YAMLMark]?
    }

    private var frames: [Frame] = []
    private var values: [YAMLNode] = []
    private var documents: [YAMLDocument] = []
    private var root: YAMLNode?
    private var documentMark = YAMLMark(line: 1, column: 1)

    init(file: String, bytes: UnsafeBufferPointer<UInt8>, reader: YAMLReader, items: Items, lineOffset: Int) {
        self.file = file
        self.bytes = bytes
        self.reader = reader
        self.items = items
        self.lineOffset = lineOffset
    }

    /// A libyaml mark (0-based) as a mark of the file.
    private func fileMark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(mark.line) + 1 + lineOffset, column: Int(mark.column) + 1)
    }

    private func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line), column: Int(mark.column))
    }

    private func failure(_ code: DiagnosticCode, _ message: String, _ mark: YAMLMark, notes: [DiagnosticNote] = []) -> YAMLError {
        YAMLError(code: code, message: message, location: location(mark), notes: notes)
    }

    mutating func run(_ parser: inout yaml_parser_t) -> Result<[YAMLDocument], YAMLError> {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                return .failure(parserError(parser))
            }
            defer { yaml_event_delete(&event) }
            let mark = fileMark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return .success(documents)
            case YAML_DOCUMENT_START_EVENT:
                root = nil
                frames.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                documentMark = mark
            case YAML_DOCUMENT_END_EVENT:
                documents.append(YAMLDocument(file: file, root: root, mark: documentMark))
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                return .failure(failure(.yamlAlias,
                    "aliases (*\(name)) are not supported in manifests; write the value out in full", mark))
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                if let error = checkAnchorAndTag(anchor: scalar.anchor, tag: scalar.tag, at: mark) {
                    return .failure(error)
                }
                guard scalar.length <= reader.maxScalarBytes else {
                    return .failure(failure(.scalarTooLong,
                        "scalar of \(scalar.length) bytes is longer than the limit of \(reader.maxScalarBytes) bytes", mark))
                }
                let text: String
                if let value = scalar.value, scalar.length > 0 {
                    text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
                } else {
                    text = ""
                }
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE
                if let error = add(YAMLNode(.scalar(text, plain: plain), at: mark)) { return .failure(error) }
            case YAML_SEQUENCE_START_EVENT:
                let start = event.data.sequence_start
                if let error = checkAnchorAndTag(anchor: start.anchor, tag: start.tag, at: mark) {
                    return .failure(error)
                }
                if let error = push(isMapping: false, at: mark) { return .failure(error) }
            case YAML_MAPPING_START_EVENT:
                let start = event.data.mapping_start
                if let error = checkAnchorAndTag(anchor: start.anchor, tag: start.tag, at: mark) {
                    return .failure(error)
                }
                if let error = push(isMapping: true, at: mark) { return .failure(error) }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = frames.popLast() else { continue }
                // The children are moved off the end of `values` (last first), not copied: a copy
                // retains every string, and removing the originals releases it again.
                let node: YAMLNode
                if frame.isMapping {
                    // libyaml gives every key a value; a key left over would be dropped.
                    if (values.count - frame.start) % 2 == 1 { values.removeLast() }
                    if takeInPlace(frame) { continue }
                    let count = (values.count - frame.start) / 2
                    let pairs = [YAMLPair](unsafeUninitializedCapacity: count) { buffer, initialized in
                        initialized = 0
                        guard let base = buffer.baseAddress else { return }
                        for j in stride(from: count - 1, through: 0, by: -1) {
                            let value = values.removeLast()
                            (base + j).initialize(to: YAMLPair(key: values.removeLast(), value: value))
                        }
                        initialized = count
                    }
                    node = YAMLNode(.mapping(pairs), at: frame.mark)
                } else {
                    node = YAMLNode(.sequence(values.removeLast(moving: values.count - frame.start)), at: frame.mark)
                }
                if let error = add(node) { return .failure(error) }
            default:
                continue  // STREAM_START, NO_EVENT
            }
        }
    }

    private mutating func push(isMapping: Bool, at mark: YAMLMark) -> YAMLError? {
        guard frames.count < reader.maxDepth else {
            return failure(.nestingTooDeep, "nesting is deeper than \(reader.maxDepth) levels", mark)
        }
        frames.append(Frame(isMapping: isMapping, mark: mark, start: values.count))
        return nil
    }

    /// Attaches a finished node to its parent (or makes it the document's root).
    private mutating func add(_ node: YAMLNode) -> YAMLError? {
        guard !frames.isEmpty else {
            root = node
            return nil
        }
        // The open collection's kind and start, read in place (a copy of the frame would retain its key index).
        let isMapping = frames[frames.count - 1].isMapping
        let start = frames[frames.count - 1].start
        // In a mapping, a node at an even offset is a key; keys are checked before they are kept.
        if isMapping, (values.count - start) % 2 == 0 {
            guard case let .scalar(name, _) = node.content else {
                return failure(.nonStringKey, "mapping keys must be plain strings, found \(node.kindDescription)", node.mark)
            }
            if let first = firstOccurrence(of: name, at: node.mark, from: start) {
                return failure(.duplicateKey, "duplicate key '\(name)'", node.mark,
                               notes: [DiagnosticNote("first defined here", at: location(first))])
            }
        } else if let key = openListKey(), items.take(node, key: key, document: documents.count) {
            // An item of a list that is the value of a top-level key, taken by the consumer.
            return nil
        }
        values.append(node)
        return nil
    }

    /// Offers a mapping that is an item of a list under a top-level key to the consumer where its
    /// keys and values lie, and drops them when it is taken (see `YAMLItemConsumer`).
    private mutating func takeInPlace(_ item: Frame) -> Bool {
        guard let key = openListKey() else { return false }
        let document = documents.count
        let taken = values.withUnsafeBufferPointer { all in
            items.take(mapping: UnsafeBufferPointer(rebasing: all[item.start...]), at: item.mark, key: key, document: document)
        }
        if taken { values.removeLast(values.count - item.start) }
        return taken
    }

    /// The key of the list that is open, when it is the value of a key of a document's top-level
    /// mapping: its items are offered to the consumer.
    private func openListKey() -> String? {
        guard frames.count == 2, !frames[1].isMapping, frames[0].isMapping, (frames[1].start - frames[0].start) % 2 == 1,
              case let .scalar(key, _) = values[frames[1].start - 1].content else { return nil }
        return key
    }

    /// Small mappings are scanned; large ones get a dictionary built once.
    private mutating func firstOccurrence(of name: String, at mark: YAMLMark, from start: Int) -> YAMLMark? {
        let keys = stride(from: start, to: values.count, by: 2)
        if values.count - start < 32 {
            for i in keys where values[i].scalarText == name { return values[i].mark }
            return nil
        }
        let top = frames.count - 1
        if frames[top].index == nil {
            var built: [String: YAMLMark] = [:]
            for i in keys {
                if let text = values[i].scalarText, built[text] == nil { built[text] = values[i].mark }
            }
            frames[top].index = built
        }
        if let found = frames[top].index?[name] { return found }
        frames[top].index?[name] = mark
        return nil
    }

    private func checkAnchorAndTag(anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?,
                                   at mark: YAMLMark) -> YAMLError? {
        if let name = string(anchor) {
            return failure(.yamlAnchor, "anchors (&\(name)) are not supported in manifests; write the value out in full", mark)
        }
        if let full = string(tag) {
            let short = full.hasPrefix("tag:yaml.org,2002:") ? "!!" + full.dropFirst("tag:yaml.org,2002:".count) : full
            return failure(.yamlTag, "tags are not supported in manifests (found '\(short)')", mark)
        }
        return nil
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// Turns libyaml's error state into a message a person can act on.
    private func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if parser.error == YAML_READER_ERROR {
            let offset = min(parser.problem_offset, bytes.count)
            if problem.contains("UTF-8") || problem.contains("Unicode") {
                // Point at the first byte of the broken sequence, and show the whole sequence.
                var start = offset
                if problem.contains("trailing") {
                    var i = offset
                    while i > 0, offset - i < 3 {
                        i -= 1
                        if bytes[i] & 0xC0 == 0xC0 {
                            start = i
                            break
                        }
                    }
                }
                let end = min(offset, bytes.count - 1)
                let shown = start <= end ? (start == end ? " (byte " : " (bytes ") + bytes[start...end].map { "0x" + hex($0) }.joined(separator: " ") + ")" : ""
                return failure(.notUTF8, "file is not valid UTF-8: \(problem)\(shown)", markForOffset(start))
            }
            let mark = markForOffset(offset)
            if problem.contains("control characters") {
                let byte = offset < bytes.count ? " (byte 0x" + hex(bytes[offset]) + ")" : ""
                return failure(.controlCharacter, "control character\(byte) is not allowed in YAML", mark)
            }
            return failure(.invalidYAML, problem, mark)
        }
        if parser.error == YAML_MEMORY_ERROR {
            return failure(.outOfMemory, "out of memory while reading YAML", YAMLMark(line: 1, column: 1))
        }
        let pm = parser.problem_mark
        let mark = fileMark(pm)
        if pm.index < bytes.count, bytes[pm.index] == 0x09 {
            return failure(.tabIndentation, "tab characters cannot be used for indentation in YAML; use spaces", mark)
        }
        var message = "invalid YAML: \(problem)"
        var notes: [DiagnosticNote] = []
        if let context = parser.context.map({ String(cString: $0) }) {
            notes.append(DiagnosticNote(context, at: location(fileMark(parser.context_mark))))
        }
        if problem == "found character that cannot start any token", pm.index < bytes.count, bytes[pm.index] < 0x80 {
            message = "invalid YAML: '\(Character(Unicode.Scalar(bytes[pm.index])))' cannot start a value here; quote the value"
        }
        return failure(.invalidYAML, message, mark, notes: notes)
    }

    /// Line and column (in characters) of a byte offset, for reader errors that only carry an offset.
    private func markForOffset(_ offset: Int) -> YAMLMark {
        var line = 1 + lineOffset
        var column = 1
        var i = 0
        while i < offset {
            let byte = bytes[i]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return YAMLMark(line: line, column: column)
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
