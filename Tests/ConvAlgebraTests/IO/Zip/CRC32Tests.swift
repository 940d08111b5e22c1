@testable import ConvAlgebraIO
import Testing

/// The CRC-32 against its standard check value and the values zlib gives, and fed in pieces.
@Suite struct CRC32Tests {
    @Test func theStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        // zlib.crc32(b"The quick brown fox jumps over the lazy dog")
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func feedingInPiecesGivesTheWholeChecksum() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var crc = CRC32()
        for cut in stride(from: 0, to: bytes.count, by: 333) {
            bytes[cut..<min(cut + 333, bytes.count)].withUnsafeBytes { crc.update($0) }
        }
        #expect(crc.value == CRC32.checksum(bytes))
    }
}
