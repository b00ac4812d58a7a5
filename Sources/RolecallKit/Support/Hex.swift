/// Lower-case hexadecimal, two digits a byte: how digests are written (SHA-256 in plans and the audit
/// chain). `String(format: "%02x")` per byte, used before, took 42% of an apply's time through the audit
/// log (a hash per record; measured on a 10k-member org from an empty state, release build).
extension Sequence<UInt8> {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
