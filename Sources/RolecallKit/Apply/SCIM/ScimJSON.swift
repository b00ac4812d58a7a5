import Foundation

/// Reading and writing SCIM's JSON through `JSONValue`: numbers that are not whole (SCIM has none that
/// rolecall reads) become strings, so any answer a server gives can be read.
enum ScimJSON {
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard !bytes.isEmpty, let decoded = try? JSONDecoder().decode(AnyJSON.self, from: Data(bytes)) else { return nil }
        return decoded.value
    }

    /// Any JSON, numbers with a fraction as strings.
    private struct AnyJSON: Decodable {
        var value: JSONValue

        init(from decoder: Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !list.isAtEnd { items.append(try list.decode(AnyJSON.self).value) }
                value = .array(items)
                return
            }
            if let object = try? decoder.container(keyedBy: Key.self) {
                var members: [String: JSONValue] = [:]
                for key in object.allKeys { members[key.stringValue] = try object.decode(AnyJSON.self, forKey: key).value }
                value = .object(members)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { value = .null } else if let b = try? single.decode(Bool.self) { value = .bool(b) } else if let i = try? single.decode(Int.self) {
                value = .int(i)
            } else if let d = try? single.decode(Double.self) { value = .string(String(d)) } else { value = .string(try single.decode(String.self)) }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    static func bytes(_ value: JSONValue) -> [UInt8] { Array(value.compact.utf8) }

    /// A string for a filter: `"` and `\` escaped (RFC 7644 3.4.2.2 uses JSON string rules).
    static func quoted(_ s: String) -> String {
        var out = ""
        JSONValue.quote(s, into: &out)
        return out
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        if let exact = members[key] { return exact }
        // SCIM attribute names are case-insensitive (RFC 7643 2.1).
        return members.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
    }

    var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .string(s): return Int(s)
        default: return nil
        }
    }

    var boolValue: Bool? {
        switch self {
        case let .bool(b): return b
        case let .string(s): return s.lowercased() == "true" ? true : s.lowercased() == "false" ? false : nil
        default: return nil
        }
    }

    var arrayValue: [JSONValue] {
        if case let .array(items) = self { return items }
        return []
    }
}
