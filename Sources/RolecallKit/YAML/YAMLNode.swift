/// A YAML node tree that keeps the position of every node.
///
/// The tree is deliberately small: scalars stay strings (typing is the decoder's job, so that
/// `country: no` can never turn into `false`), mappings keep their order and their key nodes.

/// 1-based line and column (in characters) of a node's first character.
public struct YAMLMark: Hashable, Sendable {
    public var line: Int32
    public var column: Int32

    public init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// `plain` is true for unquoted flow scalars: only those can mean null, a boolean or a number.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var mark: YAMLMark

    public init(_ content: Content, at mark: YAMLMark) {
        self.content = content
        self.mark = mark
    }

    /// A plain `~`, `null` or empty scalar: the YAML way of writing "nothing".
    public var isNull: Bool {
        if case let .scalar(text, plain: true) = content {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    /// The text of a scalar node, nil for collections.
    public var scalarText: String? {
        if case let .scalar(text, _) = content { return text }
        return nil
    }

    /// Words for messages: "a mapping", "a list", "a string".
    public var kindDescription: String {
        switch content {
        case .scalar: return isNull ? "nothing" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One YAML document of a file. `root` is nil when the document is empty.
public struct YAMLDocument: Sendable {
    public var file: String
    public var root: YAMLNode?
    /// Where the document starts (its `---` or first node).
    public var mark: YAMLMark

    public func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line), column: Int(mark.column))
    }
}

/// A file that could not be read as YAML. Reading stops at the first such problem in a file.
public struct YAMLError: Error, Sendable, Hashable {
    public var code: DiagnosticCode
    public var message: String
    public var location: SourceLocation
    public var notes: [DiagnosticNote]

    public var diagnostic: Diagnostic { .error(code, message, at: location, notes: notes) }
}
