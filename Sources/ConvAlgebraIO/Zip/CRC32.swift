/// The CRC-32 of ZIP, gzip and PNG (ISO 3309 / ITU-T V.42): the reflected polynomial `0xEDB88320`, initial
/// value and final XOR `0xFFFFFFFF`.
///
/// ```
/// crc = ~0;  for byte b: crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);  result = ~crc
/// ```
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926` (the standard check value).
///
/// - Complexity: one table look-up per byte; the 1 KiB table is built once.
package struct CRC32: Sendable {
    /// The running register (before the final XOR).
    private var register: UInt32 = 0xFFFF_FFFF

    package init() {}

    /// The CRC of everything fed so far.
    package var value: UInt32 { ~register }

    /// Feeds `bytes`.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = register
        let table = CRC32.table
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        register = c
    }

    /// The CRC of `bytes`.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC of `bytes`.
    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// `table[n]` = the register after feeding the byte `n` to a zero register.
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
