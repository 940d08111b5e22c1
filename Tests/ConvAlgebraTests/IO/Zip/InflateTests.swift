@testable import ConvAlgebraIO
import ConvAlgebraCore
import Testing
import _TestSupport

/// The DEFLATE decoder on hand-made streams of each block type, and on hostile ones. The compressed members
/// SciPy writes (dynamic Huffman blocks, long back-references) are decoded in ``NPZTests``.
@Suite struct InflateTests {
    static func inflate(_ stream: [UInt8], _ count: Int) throws -> [UInt8] {
        try stream.withUnsafeBytes { try Inflate.decompress($0, expectedCount: count) }
    }

    @Test func aStoredBlock() throws {
        // BFINAL=1, BTYPE=00, then LEN=3, NLEN=~3, and the bytes.
        #expect(try Self.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF, 7, 8, 9], 3) == [7, 8, 9])
    }

    @Test func aFixedHuffmanBlockWithABackReference() throws {
        // zlib.compressobj(9, zlib.DEFLATED, -15).compress(b"abcabcabcabc") + flush(): literals a b c, then a copy of
        // length 9 at distance 3.
        let stream: [UInt8] = [0x4B, 0x4C, 0x4A, 0x4E, 0x84, 0x21, 0x00]
        #expect(try Self.inflate(stream, 12) == Array("abcabcabcabc".utf8))
    }

    @Test func hostileStreamsAreErrorsNotTraps() {
        // The reserved block type 3.
        expectThrows(.malformedFile) { try Self.inflate([0x07], 0) }
        // A stored length whose complement disagrees.
        expectThrows(.malformedFile) { try Self.inflate([0x01, 0x03, 0x00, 0x00, 0x00, 7, 8, 9], 3) }
        // More bytes than the archive declares, and fewer.
        expectThrows(.malformedFile) { try Self.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF, 7, 8, 9], 2) }
        expectThrows(.malformedFile) { try Self.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF, 7, 8, 9], 4) }
        // A stream cut short, and an empty one.
        expectThrows(.malformedFile) { try Self.inflate([0x4B, 0x4C, 0x4A], 12) }
        expectThrows(.malformedFile) { try Self.inflate([], 1) }
        // A back-reference before the start: fixed block, length code 257 (length 3), distance code 0 (1).
        expectThrows(.malformedFile) { try Self.inflate([0x03, 0x02, 0x00], 3) }
    }
}
