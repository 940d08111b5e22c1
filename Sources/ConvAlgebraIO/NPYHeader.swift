import ConvAlgebraCore
import ConvAlgebraBackends

/// The header of a NumPy `.npy` file: the dtype descriptor, the storage order and the shape.
///
/// The file layout (NumPy's `numpy.lib.format`, versions 1.0, 2.0 and 3.0):
/// ```
/// "\x93NUMPY" major minor  HEADER_LEN  HEADER                                      DATA
///  6 bytes     1     1     u16 (1.0) / u32 (2.0, 3.0) little-endian   HEADER_LEN bytes   count · itemsize bytes
/// ```
/// `HEADER` is a Python dict literal, `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`,
/// padded with spaces and ended by `\n` so that the data starts on a multiple of 64 bytes.
/// Version 3.0 differs from 2.0 only in allowing UTF-8 in the header; it is read, never written.
package struct NPYHeader: Equatable {
    /// The dtype descriptor as written, e.g. `<f4`.
    package var descr: String
    package var fortranOrder: Bool
    package var shape: [Int]

    package init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr; self.fortranOrder = fortranOrder; self.shape = shape
    }

    package static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
    /// NumPy aligns the start of the data to this many bytes.
    package static let alignment = 64
    /// The length of the fixed part before the header text: magic, version and header length.
    package static func prefixLength(major: UInt8) -> Int { major == 1 ? 10 : 12 }

    // MARK: - Reading

    /// Validates the magic and the version in the first 8 bytes; returns the major version.
    /// - Throws: ``ConvAlgebraError/malformedNPY(_:)``.
    package static func version(_ bytes: UnsafeRawBufferPointer) throws -> UInt8 {
        guard bytes.count >= 6, Array(bytes.prefix(6)) == magic else {
            throw ConvAlgebraError.malformedNPY("not an NPY file (it does not start with \\x93NUMPY)")
        }
        guard bytes.count >= 8 else { throw ConvAlgebraError.malformedNPY("truncated header: the file ends inside the version") }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw ConvAlgebraError.malformedNPY("unsupported NPY format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        return major
    }

    /// The header length stored after the version (u16 for 1.0, u32 for 2.0/3.0, little-endian).
    package static func headerLength(_ bytes: UnsafeRawBufferPointer, major: UInt8) throws -> Int {
        let p = prefixLength(major: major)
        guard bytes.count >= p else { throw ConvAlgebraError.malformedNPY("truncated header: the file ends inside the header length") }
        var n = 0
        for i in stride(from: p - 1, through: 8, by: -1) { n = n << 8 | Int(bytes[i]) }
        return n
    }

    /// Parses the header dict and checks that it describes a supported array.
    /// - Throws: ``ConvAlgebraError/malformedNPY(_:)`` for a header that is not a dict literal with exactly the
    ///   keys `descr`, `fortran_order`, `shape`; for a dtype other than `<f4`/`<f8` (big-endian, integer,
    ///   float16, …); for `fortran_order: True`; for a negative shape entry or an element count that overflows.
    package init(text bytes: UnsafeRawBufferPointer) throws {
        try self.init(anyDescriptor: bytes)
        try NPYHeader.checkDescriptor(descr)
    }

    /// Parses the header dict as ``init(text:)`` does, accepting any descriptor string (the members of an
    /// `.npz` archive hold integers and byte strings too; their reader checks the dtype itself).
    /// - Throws: ``ConvAlgebraError/malformedNPY(_:)`` for all but the dtype checks of ``init(text:)``.
    package init(anyDescriptor bytes: UnsafeRawBufferPointer) throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConvAlgebraError.malformedNPY("the header is not valid UTF-8 text")
        }
        var parser = PythonLiteralParser(text)
        guard case .dict(let entries) = try parser.parseAll() else {
            throw ConvAlgebraError.malformedNPY("the header is not a dict literal: \(NPYHeader.excerpt(text))")
        }
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (key, value) in entries {
            switch (key, value) {
            case ("descr", .string(let s)): descr = s
            case ("descr", _):
                throw ConvAlgebraError.malformedNPY("unsupported dtype (structured or non-string descr); expected '<f4' or '<f8'")
            case ("fortran_order", .bool(let b)): fortran = b
            case ("shape", .tuple(let items)), ("shape", .list(let items)):
                shape = try items.map {
                    guard case .int(let n) = $0 else {
                        throw ConvAlgebraError.malformedNPY("the header's shape has a non-integer entry")
                    }
                    return n
                }
            default:
                throw ConvAlgebraError.malformedNPY("the header has an unexpected key or value for '\(key)'")
            }
        }
        guard let descr, let fortran, let shape else {
            let missing = ["descr", "fortran_order", "shape"].filter { k in !entries.contains { $0.0 == k } }
            throw ConvAlgebraError.malformedNPY("the header lacks the key(s) \(missing.map { "'\($0)'" }.joined(separator: ", "))")
        }
        guard !fortran else {
            throw ConvAlgebraError.malformedNPY("fortran_order: True is not supported (only C order); save a C-contiguous array")
        }
        if let bad = shape.first(where: { $0 < 0 }) {
            throw ConvAlgebraError.malformedNPY("the header's shape \(NPYHeader.tuple(shape)) has a negative entry \(bad)")
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw ConvAlgebraError.malformedNPY("the element count of shape \(NPYHeader.tuple(shape)) overflows") }
            count = p
        }
        self.descr = descr; self.fortranOrder = fortran; self.shape = shape
    }

    /// Accepts exactly `<f4` and `<f8`, what NumPy writes for little-endian float32 and float64.
    package static func checkDescriptor(_ d: String) throws {
        switch d {
        case "<f4", "<f8": return
        case ">f4", ">f8", ">f2", ">f16":
            throw ConvAlgebraError.malformedNPY("big-endian dtype '\(d)' is not supported; save with dtype '<\(d.dropFirst())'")
        default:
            let kind: String
            switch d.dropFirst().first {
            case "i", "u": kind = "integer"
            case "b": kind = "boolean"
            case "c": kind = "complex"
            case "f": kind = d.hasSuffix("f2") ? "float16" : "extended-precision float"
            default: kind = "non-float"
            }
            throw ConvAlgebraError.malformedNPY("unsupported \(kind) dtype '\(d)'; expected '<f4' (float32) or '<f8' (float64)")
        }
    }

    /// The number of elements (checked for overflow when the header was parsed).
    package var count: Int { shape.reduce(1, *) }

    /// The size in bytes of one element: 4 or 8.
    package var itemSize: Int { descr == "<f4" ? 4 : 8 }

    // MARK: - Writing

    /// The whole preamble: magic, version, header length and the padded header text. Version 1.0 when the
    /// header fits its 16-bit length field, else 2.0; the total is a multiple of 64 bytes.
    package func encoded() -> [UInt8] {
        let dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(NPYHeader.tuple(shape)), }"
        func layout(_ major: UInt8) -> (prefix: Int, total: Int) {
            let p = NPYHeader.prefixLength(major: major)
            let unpadded = p + dict.utf8.count + 1  // + "\n"
            return (p, (unpadded + NPYHeader.alignment - 1) / NPYHeader.alignment * NPYHeader.alignment)
        }
        let v1 = layout(1)
        let major: UInt8 = v1.total - v1.prefix <= Int(UInt16.max) ? 1 : 2
        let (p, total) = major == 1 ? v1 : layout(2)
        let headerLength = total - p
        var out = NPYHeader.magic + [major, 0]
        for i in 0..<(p - 8) { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        out += Array(dict.utf8)
        out += [UInt8](repeating: 0x20, count: total - out.count - 1)
        out.append(0x0A)
        return out
    }

    /// A shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`.
    package static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    package static func excerpt(_ s: String) -> String {
        let t = s.trimmingCharacters(in: " \n\r\t\0")
        return t.count > 60 ? String(t.prefix(60)) + "…" : t
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
