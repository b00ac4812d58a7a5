import Foundation
import Testing
@testable import RolecallKit

/// The state reader keeps simple attribute objects packed (`PackedAttributes`); everything asked of
/// them must answer exactly as the same attributes read one by one.
@Suite("packed attributes")
struct PackedAttributesTests {
    /// A state file holding one member whose attributes are `object` (JSON text, as written).
    static func stateFile(_ object: String) -> [UInt8] {
        Array("""
        {"format_version": 1, "lineage": "l", "serial": 1,
         "orgs": {"acme": {"members": {"a@acme.com": \(object)}}}}
        """.utf8)
    }

    /// What `object` means, read through the JSON tree (no packing on this path).
    static func expected(_ object: String) throws -> [Attributes.Element] {
        guard case let .object(members) = try JSONParser.parse(Array(object.utf8)) else { throw Unexpected() }
        return try members.keys.sorted(by: byteOrder).map { key in
            guard let json = members[key], let value = Value(json) else { throw Unexpected() }
            return (key, value)
        }
    }

    struct Unexpected: Error {}

    static func member(in bytes: [UInt8]) throws -> Attributes {
        let state = try StateCodec.decode(bytes).get()
        return try #require(state.resources[ResourceID(org: "acme", kind: .member, key: "a@acme.com")])
    }

    @Test(arguments: [
        (#"{"name": "Jane", "role": "admin", "sso": true}"#, true),
        (#"{ "a" :"x" ,"b":false,"c" : "" }"#, true),
        ("{\n  \"a\": \"x\",\n  \"b\": true\n}", true),
        (#"{"name": "Jane \"JD\"", "role": "admin"}"#, false),  // an escape
        (#"{"name": "Zoë", "role": "admin"}"#, false),  // beyond ASCII
        (#"{"role": "admin", "name": "Jane"}"#, false),  // names out of order
        (#"{"seats": 10, "sso": true}"#, false),  // a number
        (#"{"permissions": ["a", "b"], "z": "y"}"#, false),  // a list
        (#"{"attributes": {"k": ["v"]}}"#, false),  // a map
        (#"{}"#, false),
    ])
    func readsLikeTheTreeAndPacksOnlySimpleObjects(object: String, packs: Bool) throws {
        let attributes = try Self.member(in: Self.stateFile(object))
        let expected = try Self.expected(object)
        #expect(attributes.isPacked == packs)
        #expect(attributes.count == expected.count)
        #expect(attributes.isEmpty == expected.isEmpty)
        #expect(attributes.keys == expected.map(\.key))
        #expect(Array(attributes).map(\.value) == expected.map(\.value))
        for (key, value) in expected { #expect(attributes[key] == value) }
        #expect(attributes["missing"] == nil)
        var unpacked = Attributes()
        for (key, value) in expected { unpacked[key] = value }
        #expect(attributes == unpacked)
        #expect(unpacked == attributes)
        #expect(Set([attributes, unpacked]).count == 1)
    }

    @Test func aNameGivenTwiceOrBadJSONIsStillReported() {
        for object in [#"{"a": "x", "a": "y"}"#, #"{"a": "x", "b": tru}"#, #"{"a": "x" "b": "y"}"#, #"{"a": "x","#] {
            guard case .failure = StateCodec.decode(Self.stateFile(object)) else {
                Issue.record("\(object) was read")
                continue
            }
        }
    }

    /// A table of 100k resources holds one per resource: either form takes the room of one list.
    @Test func attributesTakeTheRoomOfOneList() {
        #expect(MemoryLayout<Attributes>.size == MemoryLayout<[Attributes.Element]>.size)
    }

    @Test func changingAPackedResourceUnpacksIt() throws {
        var attributes = try Self.member(in: Self.stateFile(#"{"name": "Jane", "role": "admin", "sso": true}"#))
        #expect(attributes.isPacked)
        attributes["role"] = .string("member")
        attributes["ticket"] = .string("T-1")
        attributes["sso"] = nil
        #expect(!attributes.isPacked)
        #expect(attributes == ["name": .string("Jane"), "role": .string("member"), "ticket": .string("T-1")])
    }

    /// Random attribute sets on both sides: comparing with a packed state answers as comparing with the
    /// same state read one by one (strings with and without escapes, a Kelvin sign against a K, booleans,
    /// numbers and lists where a packed state can only hold strings).
    @Test func sameValuesAnswersAsTheUnpackedAttributes() throws {
        var rng = SplitMix(seed: 12)
        func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        let names = ["declared_at", "expires", "invited_at", "name", "role", "sso", "status", "ticket"]
        let values: [Value] = [.string("admin"), .string("member"), .string(""), .string("K"), .string("\u{212A}"),
                               .string("a\"b"), .bool(true), .bool(false), .int(3), .strings(["admin"])]
        let simple: [Value] = [.string("admin"), .string("member"), .string(""), .string("K"), .bool(true), .bool(false)]
        var packedCount = 0
        for _ in 0..<2_000 {
            var recorded = Attributes()
            var wanted = Attributes()
            for name in names {
                let value = rng.next() % 16 == 0 ? pick(values) : pick(simple)
                if rng.next() % 4 != 0 { recorded[name] = value }
                if rng.next() % 4 != 0 { wanted[name] = rng.next() % 3 == 0 ? pick(values) : value }
            }
            var state = State(lineage: "l", serial: 1)
            let id = ResourceID(org: "acme", kind: .member, key: "a@acme.com")
            state.resources[id] = recorded
            let read = try #require(try StateCodec.decode(StateCodec.encode(state)).get().resources[id])
            #expect(read == recorded)
            if read.isPacked { packedCount += 1 }
            for ignored in [[], State.stateOnlyAttributes] {
                #expect(wanted.sameValues(as: read, ignoring: ignored) == wanted.sameValues(as: recorded, ignoring: ignored))
                #expect(read.sameValues(as: wanted, ignoring: ignored) == recorded.sameValues(as: wanted, ignoring: ignored))
            }
        }
        #expect(packedCount > 500)
    }
}
