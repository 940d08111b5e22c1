import ConvAlgebraCore

/// One `.npy` array inside an `.npz` archive, of the dtypes SciPy's sparse layout uses: the index arrays
/// (`<i4` or `<i8`), the values (`<f4` or `<f8`), the shape (`<i8`, or `<i4` where NumPy's default integer is
/// 32 bits) and the format name (`|S3` bytes, or `<U3` UTF-32 from SciPy before 1.0).
///
/// ``NPY`` reads and writes the float arrays of the CLI; this reads the other dtypes too, from memory, with the
/// same header checks (``NPYHeader/init(anyDescriptor:)``) and an exact data length.
package struct NPYMember {
    /// The values, widened to one type per kind.
    package enum Values: Equatable {
        case integers([Int])
        case float32([Float])
        case float64([Double])
        case text(String)
    }

    package var shape: [Int]
    package var values: Values

    /// Decodes the `.npy` bytes of the member `name`.
    /// - Throws: ``ConvAlgebraError/malformedFile(_:)`` naming the member, for a malformed header, a dtype
    ///   outside the list above, or data that is not exactly the header's size.
    package init(bytes: [UInt8], name: String) throws {
        func fail(_ m: String) -> ConvAlgebraError { .malformedFile("the member '\(name)': \(m)") }
        let header: NPYHeader
        let dataStart: Int
        do {
            let major = try bytes.withUnsafeBytes { try NPYHeader.version($0) }
            let prefix = NPYHeader.prefixLength(major: major)
            let length = try bytes.withUnsafeBytes { try NPYHeader.headerLength($0, major: major) }
            guard length <= bytes.count - prefix else { throw fail("the header runs past the member's end") }
            header = try bytes[prefix..<(prefix + length)].withUnsafeBytes { try NPYHeader(anyDescriptor: $0) }
            dataStart = prefix + length
        } catch ConvAlgebraError.malformedNPY(let m) {
            throw fail(m)
        }
        let d = header.descr
        let width: Int
        switch d {
        case "<i4", "<f4": width = 4
        case "<i8", "<f8", "|i8": width = 8
        default:
            guard d.hasPrefix("|S") || d.hasPrefix("<U"), let n = Int(d.dropFirst(2)), n >= 1, n <= 64 else {
                throw fail("unsupported dtype '\(d)' (expected <i4, <i8, <f4, <f8, or a short |S or <U string)")
            }
            width = d.hasPrefix("|S") ? n : 4 * n
        }
        let count = header.count
        let data = bytes.count - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, needed == data else {
            throw fail("shape \(NPYHeader.tuple(header.shape)) of \(d) needs \(count)·\(width) bytes, but the member holds \(data)")
        }
        shape = header.shape
        values = bytes.withUnsafeBytes { raw in
            let p = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            switch d {
            case "<i4": return .integers((0..<count).map { Int(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) })
            case "<i8", "|i8": return .integers((0..<count).map { Int(Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) })
            case "<f4": return .float32((0..<count).map { p.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) })
            case "<f8": return .float64((0..<count).map { p.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) })
            default:
                // A fixed-width string: bytes (|S) or UTF-32LE code points (<U), NUL-padded.
                let units: [UInt32] = d.hasPrefix("|S") ? p.map { UInt32($0) }
                    : (0..<(p.count / 4)).map { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
                return .text(String(String.UnicodeScalarView(units.prefix { $0 != 0 }.compactMap(Unicode.Scalar.init))))
            }
        }
    }

    /// The `.npy` preamble (magic, version, padded header) of an array of dtype `descr` and `shape`.
    package static func header(descr: String, shape: [Int]) -> [UInt8] {
        NPYHeader(descr: descr, fortranOrder: false, shape: shape).encoded()
    }
}
