import Testing
@testable import RolecallKit

@Suite("attributes")
struct AttributesTests {
    /// The builder keeps eight pairs on the stack; more must spill over, never trap.
    @Test(arguments: [0, 1, 8, 9, 12, 40])
    func anyNumberOfAttributesCanBeBuilt(count: Int) {
        // Added in reverse name order, so the spilled pairs must be sorted in with the rest.
        let names = (0..<count).map { "field\(String(1000 + $0).dropFirst())" }
        let built = Attributes { builder in
            for (i, name) in names.enumerated().reversed() { builder.add(name, .int(i)) }
            builder.add("skipped", nil)
        }
        #expect(built.count == count)
        #expect(built.keys == names)
        for (i, name) in names.enumerated() { #expect(built[name] == .int(i)) }
        var literal = Attributes()
        for (i, name) in names.enumerated() { literal[name] = .int(i) }
        #expect(built == literal)
    }

    @Test func aNameGivenTwiceBeyondTheStackKeepsTheLastValue() {
        let built = Attributes { builder in
            for i in 0..<9 { builder.add("n\(i)", .int(i)) }
            builder.add("n0", .string("again"))
        }
        #expect(built.count == 9)
        #expect(built["n0"] == .string("again"))
    }
}
