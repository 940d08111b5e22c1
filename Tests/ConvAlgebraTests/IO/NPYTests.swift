import ConvAlgebra
import Foundation
import Testing

/// Round trips and every malformed case of the CLI contract, built as bytes here (no fixture can
/// drift from what is tested).
@Suite struct NPYTests {
    // MARK: - Helpers

    /// A `.npy` file from a header text (padded as NumPy pads it) and raw data bytes.
    static func file(header: String, major: UInt8 = 1, data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
        let prefix = major == 1 ? 10 : 12
        var text = Array(header.utf8)
        if pad {
            let total = (prefix + text.count + 1 + 63) / 64 * 64
            text += [UInt8](repeating: 0x20, count: total - prefix - text.count - 1) + [0x0A]
        }
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0]
        for i in 0..<(prefix - 8) { out.append(UInt8(truncatingIfNeeded: text.count >> (8 * i))) }
        return out + text + data
    }

    static func dict(_ descr: String = "<f4", fortran: String = "False", shape: String) -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    static func floats(_ v: [Float]) -> [UInt8] { v.withUnsafeBytes { Array($0) } }

    /// A fresh empty directory for files written by one test.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "convalgebra-npy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Expects a `malformedNPY` error whose message contains `fragment`.
    static func expectMalformed(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let a = try NPY.read(bytes: bytes)
            Issue.record("expected a malformed-NPY error containing '\(fragment)', read \(a.shape)", sourceLocation: sourceLocation)
        } catch let ConvAlgebraError.malformedNPY(m) {
            #expect(m.contains(fragment), "message: \(m)", sourceLocation: sourceLocation)
            #expect(!m.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected malformedNPY, got \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Round trips

    static let shapes: [[Int]] = [[], [0], [1], [5], [2, 3], [0, 3], [3, 0, 2], [2, 3, 4], [1, 1, 1, 7]]

    @Test(arguments: shapes)
    func roundTripFloat(shape: [Int]) throws {
        let s = try Shape(shape)
        let t = try Tensor<Float>(shape: s, scalars: (0..<s.count).map { Float($0) * 0.5 - 3 })
        let bytes = NPY.encode(t)
        #expect(bytes[6] == 1)
        #expect(try NPY.read(bytes: bytes) == .float32(t))
    }

    @Test(arguments: shapes)
    func roundTripDoubleThroughAFile(shape: [Int]) throws {
        let dir = try Self.temporaryDirectory()
        let s = try Shape(shape)
        let t = try Tensor<Double>(shape: s, scalars: (0..<s.count).map { Double($0).squareRoot() - 1e-300 })
        try NPY.write(t, to: dir + "/a.npy")
        #expect(try NPY.read(path: dir + "/a.npy") == .float64(t))
        // Nothing but the output is left behind: the temporary file was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.npy"])
    }

    @Test func scalarHasOneElementAndEmptyShape() throws {
        let a = try NPY.read(bytes: Self.file(header: Self.dict("<f8", shape: "()"), data: [0, 0, 0, 0, 0, 0, 0x0C, 0x40]))
        #expect(a.shape.dims == [] && a.shape.count == 1)
        #expect(try a.tensor(of: Double.self).scalars == [3.5])
    }

    @Test func headerIsPaddedToSixtyFourBytesLikeNumPy() throws {
        let t = try Tensor<Float>(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        let bytes = NPY.encode(t)
        // NumPy's own header for this array: 118 bytes of text after a 10-byte prefix.
        let text = String(decoding: bytes[10..<128], as: UTF8.self)
        #expect(bytes[8] == 118 && bytes[9] == 0)
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(text.hasSuffix(" \n"))
        #expect(bytes.count == 128 + 24)
        #expect(Self.file(header: Self.dict(shape: "(5,)")).count % 64 == 0)
    }

    @Test func writesVersionTwoWhenTheHeaderOutgrowsSixteenBits() throws {
        let dims = [Int](repeating: 1, count: 22_000)  // "1, " × 22 000 > 65 535 characters
        let t = try Tensor<Float>(shape: dims, scalars: [42])
        let bytes = NPY.encode(t)
        #expect(bytes[6] == 2)
        let headerLength: Int = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        #expect(headerLength > Int(UInt16.max))
        #expect((12 + headerLength) % 64 == 0)
        #expect(try NPY.read(bytes: bytes) == .float32(t))
    }

    @Test(arguments: [UInt8(2), 3])
    func readsVersionsTwoAndThree(major: UInt8) throws {
        let a = try NPY.read(bytes: Self.file(header: Self.dict(shape: "(2,)"), major: major, data: Self.floats([1, -2])))
        #expect(try a.tensor(of: Float.self).scalars == [1, -2])
    }

    @Test func acceptsAnyKeyOrderQuotesAndListShapes() throws {
        let h = "{\"shape\": [2], \"fortran_order\": False, \"descr\": \"<f4\"}"
        let a = try NPY.read(bytes: Self.file(header: h, data: Self.floats([7, 8])))
        #expect(a.shape.dims == [2])
    }

    @Test func dtypeMismatchIsAnErrorNamingBoth() throws {
        let a = NPYArray.float32(try Tensor(shape: [1], scalars: [1]))
        #expect(throws: ConvAlgebraError.self) { try a.tensor(of: Double.self, what: "the weight") }
        do { _ = try a.tensor(of: Double.self, what: "the weight") } catch {
            #expect("\(error)".contains("the weight has dtype float32") && "\(error)".contains("float64"))
        }
    }

    // MARK: - Malformed files

    @Test func rejectsBadMagic() {
        Self.expectMalformed(Array("PK\u{3}\u{4} this is a zip".utf8), "not an NPY file")
        Self.expectMalformed([], "not an NPY file")
        Self.expectMalformed([0x93, 0x4E, 0x55], "not an NPY file")
    }

    @Test func rejectsUnsupportedVersions() {
        var v4 = Self.file(header: Self.dict(shape: "(1,)"), data: Self.floats([1]))
        v4[6] = 4
        Self.expectMalformed(v4, "unsupported NPY format version 4.0")
        var v11 = v4
        v11[6] = 1; v11[7] = 1
        Self.expectMalformed(v11, "version 1.1")
    }

    @Test func rejectsTruncatedHeaders() {
        let whole = Self.file(header: Self.dict(shape: "(1,)"), data: Self.floats([1]))
        Self.expectMalformed(Array(whole.prefix(7)), "truncated header")
        Self.expectMalformed(Array(whole.prefix(9)), "truncated header")
        Self.expectMalformed(Array(whole.prefix(40)), "truncated header")
        Self.expectMalformed(Array(Self.file(header: Self.dict(shape: "(1,)"), major: 2).prefix(11)), "truncated header")
    }

    @Test(arguments: [
        ("[1, 2, 3]", "not a dict"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) ", "not a valid dict"),
        ("{'descr': '<f4' 'fortran_order': False}", "expected ','"),
        ("{'descr': '<f4', 'fortran_order': False, }", "lacks the key(s) 'shape'"),
        ("{'shape': (1,), }", "'descr', 'fortran_order'"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }", "not a valid dict"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ('a',), }", "non-integer"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing", "unexpected text"),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "unexpected key or value for 'fortran_order'"),
        ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured"),
        ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "duplicate key"),
        (String(repeating: "(", count: 40), "nesting too deep"),
    ])
    func rejectsBadHeaderDicts(header: String, fragment: String) {
        Self.expectMalformed(Self.file(header: header, data: Self.floats([1])), fragment)
    }

    @Test func rejectsTruncatedAndTrailingData() {
        Self.expectMalformed(Self.file(header: Self.dict(shape: "(2, 3)"), data: Self.floats([1, 2, 3, 4, 5])),
                             "truncated data: shape (2, 3) of <f4 needs 24 bytes, but the file holds 20")
        Self.expectMalformed(Self.file(header: Self.dict(shape: "(2,)"), data: Self.floats([1, 2, 3])),
                             "4 unexpected bytes after the data")
        Self.expectMalformed(Self.file(header: Self.dict(shape: "()")), "truncated data")
    }

    @Test(arguments: [(">f4", "big-endian"), (">f8", "big-endian"), ("<i4", "integer"), ("|u1", "integer"),
                      ("<i8", "integer"), ("<f2", "float16"), ("<c8", "complex"), ("|b1", "boolean"),
                      ("<U3", "unsupported"), ("<f16", "unsupported")])
    func rejectsUnsupportedDtypes(descr: String, fragment: String) {
        Self.expectMalformed(Self.file(header: Self.dict(descr, shape: "(2,)"), data: Self.floats([1, 2])), fragment)
    }

    @Test func rejectsFortranOrder() {
        Self.expectMalformed(Self.file(header: Self.dict(fortran: "True", shape: "(1, 2)"), data: Self.floats([1, 2])),
                             "fortran_order: True")
    }

    @Test(arguments: [
        ("(-1, 3)", "negative entry -1"),
        ("(4611686018427387904, 4)", "overflows"),              // 2⁶² · 4 elements
        ("(2305843009213693952,)", "overflows"),                 // 2⁶¹ elements × 8 bytes
        ("(99999999999999999999,)", "too large"),
        ("(1099511627776,)", "truncated data"),                  // 2⁴⁰ elements: refused before allocating
    ])
    func rejectsBadShapesBeforeAllocating(shape: String, fragment: String) {
        Self.expectMalformed(Self.file(header: Self.dict("<f8", shape: shape), data: Self.floats([1, 2])), fragment)
    }

    // MARK: - Files

    @Test func missingFileAndDirectoryAreIOErrors() throws {
        let dir = try Self.temporaryDirectory()
        #expect(throws: ConvAlgebraError.io("cannot open '\(dir)/nope.npy': No such file or directory")) {
            try NPY.read(path: dir + "/nope.npy")
        }
        #expect(throws: ConvAlgebraError.io("cannot read '\(dir)': it is a directory")) { try NPY.read(path: dir) }
    }

    @Test func malformedFileMessagesNameThePath() throws {
        let dir = try Self.temporaryDirectory()
        let path = dir + "/bad.npy"
        try Data(Self.file(header: Self.dict(shape: "(3,)"), data: Self.floats([1]))).write(to: URL(fileURLWithPath: path))
        do {
            _ = try NPY.read(path: path)
            Issue.record("read a truncated file")
        } catch let ConvAlgebraError.malformedNPY(m) {
            #expect(m.hasPrefix("'\(path)': truncated data"))
        }
    }

    @Test func failedWriteLeavesAnExistingFileAlone() throws {
        let dir = try Self.temporaryDirectory()
        let t = try Tensor<Float>(shape: [2], scalars: [1, 2])
        // The destination is a non-empty directory: rename fails after the data was written.
        try FileManager.default.createDirectory(atPath: dir + "/out.npy/inner", withIntermediateDirectories: true)
        #expect(throws: ConvAlgebraError.self) { try NPY.write(t, to: dir + "/out.npy") }
        // A missing directory: the temporary file cannot even be made.
        #expect(throws: ConvAlgebraError.self) { try NPY.write(t, to: dir + "/no/such/dir/out.npy") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.npy"])
        // Overwriting a good file with a good file works.
        try NPY.write(t, to: dir + "/good.npy")
        try NPY.write(try Tensor<Float>(shape: [1], scalars: [9]), to: dir + "/good.npy")
        #expect(try NPY.read(path: dir + "/good.npy").shape.dims == [1])
    }
}
