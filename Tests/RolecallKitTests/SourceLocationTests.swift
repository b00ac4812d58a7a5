import Foundation
import Testing
@testable import RolecallKit

/// `SourceLocation` keeps line and column in 32 bits: the same values, order and JSON as before.
@Suite("Source locations")
struct SourceLocationTests {
    @Test func jsonKeepsItsKeysAndRoundTrips() throws {
        let location = RolecallKit.SourceLocation(file: "access/acme.yaml", line: 14, column: 5)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(location), as: UTF8.self)
        #expect(json == #"{"column":5,"file":"access\/acme.yaml","line":14}"#)
        #expect(try JSONDecoder().decode(RolecallKit.SourceLocation.self, from: Data(json.utf8)) == location)
    }

    @Test func valuesOrderAndSettersAreThoseOfTheInts() {
        var location = RolecallKit.SourceLocation(file: "a.yaml", line: 3, column: 7)
        #expect((location.line, location.column, location.description) == (3, 7, "a.yaml:3:7"))
        location.line = 2_000_000_000
        location.column = 12
        #expect((location.line, location.column) == (2_000_000_000, 12))
        let sorted = [("b.yaml", 1, 1), ("a.yaml", 10, 1), ("a.yaml", 9, 30), ("a.yaml", 9, 4)]
            .map { RolecallKit.SourceLocation(file: $0.0, line: $0.1, column: $0.2) }.sorted()
        #expect(sorted.map(\.description) == ["a.yaml:9:4", "a.yaml:9:30", "a.yaml:10:1", "b.yaml:1:1"])
        // Beyond 32 bits (no file read whole gets there), a value is held at the largest one.
        #expect(RolecallKit.SourceLocation(file: "a.yaml", line: Int.max, column: 1).line == Int(Int32.max))
    }
}
