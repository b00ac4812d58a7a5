/// Typed access to the keys of one YAML mapping, reporting every problem to a sink:
/// wrong types, missing required keys, and (in `finish`) unknown keys with a suggestion.
struct Fields {
    let pairs: [YAMLPair]
    let document: YAMLDocument
    let sink: DiagnosticSink
    /// What the mapping is, for messages ("member", "settings").
    let what: String
    let location: SourceLocation

    init?(_ node: YAMLNode, what: String, in document: YAMLDocument, sink: DiagnosticSink) {
        guard case let .mapping(pairs) = node.content else {
            sink.error(.notAMapping, "\(what) must be a mapping, found \(node.kindDescription)", at: document.location(node.mark))
            return nil
        }
        self.pairs = pairs
        self.document = document
        self.sink = sink
        self.what = what
        self.location = document.location(node.mark)
    }

    func location(of node: YAMLNode) -> SourceLocation { document.location(node.mark) }

    /// The value of `key`; nil when absent or written as null. A required key that is missing is reported.
    func node(_ key: String, required: Bool = false) -> YAMLNode? {
        guard let pair = pairs.first(where: { $0.key.scalarText == key }) else {
            if required { sink.error(.missingKey, "\(what) is missing required key '\(key)'", at: location) }
            return nil
        }
        if pair.value.isNull {
            if required { sink.error(.emptyValue, "'\(key)' in \(what) has no value", at: location(of: pair.key)) }
            return nil
        }
        return pair.value
    }

    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let value = node(key, required: required) else { return nil }
        return Fields.string(value, named: key, in: document, sink: sink)
    }

    static func string(_ value: YAMLNode, named key: String, in document: YAMLDocument, sink: DiagnosticSink) -> Located<String>? {
        guard case let .scalar(text, _) = value.content else {
            sink.error(.notAString, "'\(key)' must be a string, found \(value.kindDescription)", at: document.location(value.mark))
            return nil
        }
        return Located(text, at: document.location(value.mark))
    }

    /// Only a plain `true` or `false`: YAML 1.1's yes/no/on/off are not booleans here.
    func bool(_ key: String) -> Bool? {
        guard let value = node(key) else { return nil }
        if case let .scalar(text, plain: true) = value.content {
            if text == "true" { return true }
            if text == "false" { return false }
        }
        let shown = value.scalarText.map { "'\($0)'" } ?? value.kindDescription
        sink.error(.notABoolean, "'\(key)' must be true or false, found \(shown)", at: location(of: value))
        return nil
    }

    /// A plain decimal integer. Leading zeros are refused: YAML 1.1 would read `0755` as octal.
    func int(_ key: String) -> Located<Int>? {
        guard let value = node(key) else { return nil }
        if case let .scalar(text, plain: true) = value.content {
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                if digits.count > 1, digits.hasPrefix("0") {
                    sink.error(.notANumber, "'\(key)' must be a whole number without leading zeros, found '\(text)' "
                               + "(YAML 1.1 would read it as octal)", at: location(of: value))
                    return nil
                }
                guard let number = Int(text) else {
                    sink.error(.numberTooLarge, "'\(key)' is too large, found '\(text)'", at: location(of: value))
                    return nil
                }
                return Located(number, at: location(of: value))
            }
        }
        let shown = value.scalarText.map { "'\($0)'" } ?? value.kindDescription
        sink.error(.notANumber, "'\(key)' must be a whole number, found \(shown)", at: location(of: value))
        return nil
    }

    func list(_ key: String) -> [YAMLNode]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(items) = value.content else {
            sink.error(.notAList, "'\(key)' must be a list, found \(value.kindDescription)", at: location(of: value))
            return nil
        }
        return items
    }

    /// Reports every key not in `allowed`, suggesting the closest allowed key.
    func finish(allowed: [String]) {
        for pair in pairs {
            guard let name = pair.key.scalarText, !allowed.contains(name) else { continue }
            sink.error(.unknownKey, "unknown key '\(clipped(name, to: 100))' in \(what)" + Suggest.hint(for: name, among: allowed),
                       at: location(of: pair.key))
        }
    }
}
