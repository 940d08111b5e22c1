@testable import ConvAlgebraIO
import ConvAlgebraCore
import Testing
import _TestSupport

/// The `.npy` members of an `.npz`: the integer, float and string dtypes SciPy's layout uses decode to their
/// values; other dtypes and data of the wrong length are one error naming the member.
@Suite struct NPYMemberTests {
    static func member(_ descr: String, _ shape: [Int], _ data: [UInt8]) throws -> NPYMember {
        try NPYMember(bytes: NPYMember.header(descr: descr, shape: shape) + data, name: "m.npy")
    }

    @Test func theDTypesOfTheSparseLayoutDecode() throws {
        #expect(try Self.member("<i4", [3], [Int32(-1), 7, 1 << 30].withUnsafeBytes { Array($0) }).values == .integers([-1, 7, 1 << 30]))
        #expect(try Self.member("<i8", [2], [Int64(-5), 1 << 40].withUnsafeBytes { Array($0) }).values == .integers([-5, 1 << 40]))
        #expect(try Self.member("<f4", [2], [Float(0.5), -2].withUnsafeBytes { Array($0) }).values == .float32([0.5, -2]))
        #expect(try Self.member("<f8", [1], [Double.pi].withUnsafeBytes { Array($0) }).values == .float64([.pi]))
        #expect(try Self.member("|S3", [], Array("csr".utf8)).values == .text("csr"))
        // SciPy before 1.0 stored the format as a unicode string: UTF-32LE, NUL-padded.
        let utf32 = [UInt32(99), 115, 114, 0].withUnsafeBytes { Array($0) }
        #expect(try Self.member("<U4", [], utf32).values == .text("csr"))
    }

    @Test func otherDTypesAndWrongLengthsAreErrors() {
        expectThrows(.malformedFile, "complex") { try Self.member("<c8", [1], [UInt8](repeating: 0, count: 8)) }
        expectThrows(.malformedFile, "big-endian") { try Self.member(">i4", [1], [0, 0, 0, 1]) }
        expectThrows(.malformedFile, "object") { try Self.member("|O", [1], [0, 0, 0, 0, 0, 0, 0, 0]) }
        expectThrows(.malformedFile, "short") { try Self.member("<i4", [3], [0, 0, 0, 0]) }
        expectThrows(.malformedFile, "long") { try Self.member("<f8", [0], [0]) }
        expectThrows(.malformedFile, "not npy") { try NPYMember(bytes: Array("PK".utf8), name: "m.npy") }
        let e = expectThrows(.malformedFile) { try Self.member("<i4", [1 << 62], []) }
        #expect(e?.description.contains("m.npy") == true)
    }
}
