import Testing
@testable import RolecallKit

@Suite("hex digests")
struct HexTests {
    @Test func digestsAreLowerCaseHexTwoDigitsAByte() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x0F, 0xA0, 0xFF].hexString == "000fa0ff")
        #expect((0...255).map { UInt8($0) }.hexString == (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }
}
