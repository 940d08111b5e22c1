@testable import ConvAlgebraIO
import ConvAlgebraCore
import Testing

/// The NPY header against the format's own rules (NumPy's `format.py`): magic, version, a little-endian
/// header length, a dict padded with spaces and ended by a newline so the data starts on a 64-byte boundary;
/// Python's tuple spelling; and the dtypes the contract accepts.
@Suite struct NPYHeaderTests {
    static let shapes: [[Int]] = [[], [0], [1], [5], [2, 3], [4, 0, 7], [2, 3, 4, 5]]

    @Test(arguments: shapes, ["<f4", "<f8"])
    func encodedHeaderFollowsTheFormatAndParsesBack(shape: [Int], descr: String) throws {
        let header = NPYHeader(descr: descr, fortranOrder: false, shape: shape)
        let bytes = header.encoded()
        #expect(Array(bytes.prefix(6)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])  // "\x93NUMPY"
        #expect(bytes[6] == 1 && bytes[7] == 0)
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(10 + length == bytes.count)
        #expect(bytes.count % 64 == 0)
        #expect(bytes.last == 0x0A)
        try bytes.withUnsafeBytes { raw in
            #expect(try NPYHeader.version(raw) == 1)
            #expect(try NPYHeader.headerLength(raw, major: 1) == length)
            let parsed = try NPYHeader(text: UnsafeRawBufferPointer(rebasing: raw[10...]))
            #expect(parsed == header)
        }
    }

    @Test func countAndItemSizeFollowTheShapeAndDtype() {
        #expect(NPYHeader(descr: "<f4", fortranOrder: false, shape: [2, 3, 4]).count == 24)
        #expect(NPYHeader(descr: "<f4", fortranOrder: false, shape: []).count == 1)  // a 0-d array holds one scalar
        #expect(NPYHeader(descr: "<f8", fortranOrder: false, shape: [7, 0]).count == 0)
        #expect(NPYHeader(descr: "<f4", fortranOrder: false, shape: [1]).itemSize == MemoryLayout<Float>.size)
        #expect(NPYHeader(descr: "<f8", fortranOrder: false, shape: [1]).itemSize == MemoryLayout<Double>.size)
    }

    /// Python's spelling: a one-element tuple needs its trailing comma.
    @Test func tuplesAreSpelledAsPythonSpellsThem() {
        #expect(NPYHeader.tuple([]) == "()")
        #expect(NPYHeader.tuple([3]) == "(3,)")
        #expect(NPYHeader.tuple([2, 3]) == "(2, 3)")
    }

    @Test(arguments: [(">f4", "big-endian"), (">f8", "big-endian"), ("<i4", "integer"), ("|u1", "integer"),
                      ("|b1", "boolean"), ("<c8", "complex"), ("<f2", "float16")])
    func unsupportedDescriptorsAreNamed(descr: String, word: String) {
        #expect(throws: ConvAlgebraError.self) { try NPYHeader.checkDescriptor(descr) }
        do { try NPYHeader.checkDescriptor(descr) } catch { #expect("\(error)".contains(word), "\(error)") }
    }

    @Test func supportedDescriptorsPass() throws {
        try NPYHeader.checkDescriptor("<f4")
        try NPYHeader.checkDescriptor("<f8")
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False}", "shape"),
        ("{'shape': (2,), 'fortran_order': False}", "descr"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}", "negative"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", "overflow"),
        ("(1, 2)", "dict"),
    ])
    func malformedDictsAreErrors(text: String, word: String) {
        let bytes = Array(text.utf8)
        #expect(throws: ConvAlgebraError.self) { try bytes.withUnsafeBytes { _ = try NPYHeader(text: $0) } }
        do { try bytes.withUnsafeBytes { _ = try NPYHeader(text: $0) } } catch {
            #expect("\(error)".lowercased().contains(word), "\(error)")
        }
    }

    @Test func badMagicAndVersionsAreErrors() {
        let notNPY: [UInt8] = Array("PK\u{3}\u{4}notanumpyfile".utf8)
        #expect(throws: ConvAlgebraError.self) { try notNPY.withUnsafeBytes { _ = try NPYHeader.version($0) } }
        let v9: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 9, 0, 0, 0]
        #expect(throws: ConvAlgebraError.self) { try v9.withUnsafeBytes { _ = try NPYHeader.version($0) } }
    }
}
