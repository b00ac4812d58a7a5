import Foundation

/// A JSON value and a deterministic printer for it: object keys sorted, two-space indent,
/// `"key": value`, empty collections as `[]` / `{}`, trailing newline. Every file and report
/// rolecall writes goes through it, so their diffs stay readable and byte-stable.
///
/// Hand-written for its output, not its speed: Foundation's pretty printers (`JSONSerialization` and
/// `JSONEncoder`, `.prettyPrinted` + `.sortedKeys`, checked 2026-12-01) write `"key" : value` and an
/// empty object as `{` and `}` on lines of their own, so every golden file, saved plan and report
/// would change; `StateCodec.encode` writes one line per resource, which neither offers.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The printed document, with a trailing newline.
    public var pretty: String {
        var out = ""
        write(into: &out, indent: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .string(s): JSONValue.quote(s, into: &out)
        case let .array(items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.write(into: &out, indent: indent + 2)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case let .object(members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            let keys = members.keys.sorted()
            for (i, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                JSONValue.quote(key, into: &out)
                out += ": "
                (members[key] ?? .null).write(into: &out, indent: indent + 2)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        // Most strings need no escape: append them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// `.string` for a value, `.null` for nil.
    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    static func optional(_ i: Int?) -> JSONValue { i.map(JSONValue.int) ?? .null }

    /// An object without its null members.
    static func withoutNulls(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.filter { $0.value != .null })
    }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    /// Any Encodable as a JSON value (nil members are left out, as Codable does).
    public static func from<T: Encodable>(_ value: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value),
              let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return json
    }

    /// One line, no spaces: for JSON Lines (the audit log).
    public var compact: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .string(s):
            var out = ""
            JSONValue.quote(s, into: &out)
            return out
        case let .array(items): return "[" + items.map(\.compact).joined(separator: ",") + "]"
        case let .object(members):
            return "{" + members.keys.sorted().map { key in
                var out = ""
                JSONValue.quote(key, into: &out)
                return out + ":" + (members[key] ?? .null).compact
            }.joined(separator: ",") + "}"
        }
    }
}

/// Byte-wise string order: the same as `<` for the ASCII names and addresses rolecall sorts, and much
/// cheaper than `String`'s Unicode-aware comparison on large orgs.
@inline(__always)
func byteOrder(_ a: String, _ b: String) -> Bool { compareBytes(a, b) < 0 }
