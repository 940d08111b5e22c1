import ConvAlgebraCore

/// A decoder of raw DEFLATE streams (RFC 1951), what a ZIP entry of method 8 holds: NumPy's
/// `savez_compressed` (and SciPy's `save_npz`, compressed by default) writes them.
///
/// A stream is a sequence of blocks, each stored (a length and raw bytes), or Huffman-coded with the fixed
/// codes of §3.2.6 or with codes sent in the block (§3.2.7). A coded block is literals `0…255`, the end
/// `256`, and length codes `257…285` each followed by a distance code: copy `length` bytes from `distance`
/// bytes back in the output. The decoding follows zlib's reference decoder `puff.c` (canonical codes as
/// counts per length and symbols in code order, decoded one bit at a time).
///
/// Hostile input cannot make it allocate or run away: the output is exactly `expectedCount` bytes (the size
/// the archive declares, budgeted by the caller), a stream that would write more, or ends before, or uses an
/// over-subscribed code, an unused code, a distance beyond the start or a bad stored length, is an error.
/// - Complexity: O(compressed bits + output bytes).
package enum Inflate {
    /// Decodes `input` into exactly `expectedCount` bytes.
    /// - Throws: ``ConvAlgebraError/malformedFile(_:)`` naming what is wrong with the stream.
    package static func decompress(_ input: UnsafeRawBufferPointer, expectedCount: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expectedCount)
        var bits = BitReader(bytes: input)
        var count = 0
        try out.withUnsafeMutableBufferPointer { o in
            var last = false
            while !last {
                last = try bits.take(1) == 1
                switch try bits.take(2) {
                case 0: try stored(&bits, o, &count)
                case 1: try codes(&bits, o, &count, Self.fixed.literal, Self.fixed.distance)
                case 2:
                    let (literal, distance) = try dynamicCodes(&bits)
                    try codes(&bits, o, &count, literal, distance)
                default: throw error("a block of the reserved type 3")
                }
            }
        }
        guard count == expectedCount else {
            throw error("the stream decodes to \(count) bytes, but the archive declares \(expectedCount)")
        }
        return out
    }

    // MARK: - Blocks

    /// A stored block: `LEN`, `NLEN = ~LEN` (16 bits each, from the next byte boundary), then `LEN` bytes.
    private static func stored(_ bits: inout BitReader, _ o: UnsafeMutableBufferPointer<UInt8>, _ count: inout Int) throws {
        bits.alignToByte()
        var len = try bits.byte()
        len |= try bits.byte() << 8
        var nlen = try bits.byte()
        nlen |= try bits.byte() << 8
        guard len == ~nlen & 0xFFFF else { throw error("a stored block whose length and its complement disagree") }
        guard len <= o.count - count else { throw tooLong(o.count) }
        for _ in 0..<len { o[count] = UInt8(try bits.byte()); count += 1 }
    }

    /// A Huffman-coded block: literals, and (length, distance) copies, up to the end symbol 256.
    private static func codes(_ bits: inout BitReader, _ o: UnsafeMutableBufferPointer<UInt8>, _ count: inout Int,
                              _ literal: Huffman, _ distance: Huffman) throws {
        while true {
            var symbol = try literal.decode(&bits)
            if symbol < 256 {
                guard count < o.count else { throw tooLong(o.count) }
                o[count] = UInt8(symbol); count += 1
            } else if symbol == 256 {
                return
            } else {
                symbol -= 257
                guard symbol < 29 else { throw error("an invalid length code \(symbol + 257)") }
                let length = lengthBase[symbol] + (try bits.take(lengthExtra[symbol]))
                let d = try distance.decode(&bits)
                guard d < 30 else { throw error("an invalid distance code \(d)") }
                let back = distanceBase[d] + (try bits.take(distanceExtra[d]))
                guard back <= count else { throw error("a distance \(back) before the start of the output") }
                guard length <= o.count - count else { throw tooLong(o.count) }
                for _ in 0..<length { o[count] = o[count - back]; count += 1 }
            }
        }
    }

    /// The literal/length and distance codes of a dynamic block, themselves sent as code lengths coded with a
    /// code-length code (§3.2.7).
    private static func dynamicCodes(_ bits: inout BitReader) throws -> (Huffman, Huffman) {
        let nlen = try bits.take(5) + 257, ndist = try bits.take(5) + 1, ncode = try bits.take(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw error("a dynamic block with too many codes") }
        var lengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { lengths[codeLengthOrder[i]] = try bits.take(3) }
        let lengthCode = try Huffman(lengths: lengths)
        lengths = [Int](repeating: 0, count: nlen + ndist)
        var i = 0
        while i < nlen + ndist {
            let symbol = try lengthCode.decode(&bits)
            if symbol < 16 { lengths[i] = symbol; i += 1; continue }
            var value = 0, repeats: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw error("a repeated code length with none before it") }
                value = lengths[i - 1]; repeats = 3 + (try bits.take(2))
            case 17: repeats = 3 + (try bits.take(3))
            default: repeats = 11 + (try bits.take(7))
            }
            guard i + repeats <= nlen + ndist else { throw error("code lengths beyond the codes declared") }
            for _ in 0..<repeats { lengths[i] = value; i += 1 }
        }
        guard lengths[256] != 0 else { throw error("a dynamic block without an end-of-block code") }
        return (try Huffman(lengths: Array(lengths[..<nlen])), try Huffman(lengths: Array(lengths[nlen...])))
    }

    // MARK: - Tables (RFC 1951 §3.2.5)

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                                     131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                       2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
                                        13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// The fixed codes (§3.2.6): literal/length lengths 8, 9, 7, 8 by range, 30 distances of 5 bits.
    private static let fixed: (literal: Huffman, distance: Huffman) = (
        try! Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 }),
        try! Huffman(lengths: [Int](repeating: 5, count: 30)))

    private static func error(_ what: String) -> ConvAlgebraError {
        .malformedFile("corrupt DEFLATE data: \(what)")
    }

    private static func tooLong(_ declared: Int) -> ConvAlgebraError {
        error("the stream decodes to more than the \(declared) bytes the archive declares")
    }

    // MARK: - Bits and codes

    /// The input's bits, least significant first within each byte (§3.1.1).
    private struct BitReader {
        let bytes: UnsafeRawBufferPointer
        var position = 0
        var buffer = 0
        var held = 0

        /// The next `n ≤ 16` bits as an integer, the first bit the least significant.
        mutating func take(_ n: Int) throws -> Int {
            while held < n {
                guard position < bytes.count else { throw Inflate.error("the stream ends early") }
                buffer |= Int(bytes[position]) << held
                position += 1; held += 8
            }
            let v = buffer & (1 << n - 1)
            buffer >>= n; held -= n
            return v
        }

        /// Drops the bits left of the current byte (fewer than 8: bytes are fetched only when needed).
        mutating func alignToByte() { buffer = 0; held = 0 }

        /// The next whole byte (after ``alignToByte()``).
        mutating func byte() throws -> Int { try take(8) }
    }

    /// A canonical Huffman code: how many codes of each length 1…15, and the symbols in code order.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// - Throws: for an over-subscribed set of lengths (more codes than the lengths can hold).
        init(lengths: [Int]) throws {
            for l in lengths { counts[l] += 1 }
            var left = 1
            for len in 1...15 {
                left = left << 1 - counts[len]
                guard left >= 0 else { throw Inflate.error("an over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 { symbols[offsets[l]] = symbol; offsets[l] += 1 }
        }

        /// The next symbol: codes of length `len` are the integers `first ..< first + counts[len]`, read most
        /// significant bit first (puff.c's `decode`).
        func decode(_ bits: inout BitReader) throws -> Int {
            var code = 0, first = 0, index = 0
            for len in 1...15 {
                code |= try bits.take(1)
                let count = counts[len]
                if code - first < count { return symbols[index + code - first] }
                index += count; first += count
                first <<= 1; code <<= 1
            }
            throw Inflate.error("a code that is not in the Huffman table")
        }
    }
}
