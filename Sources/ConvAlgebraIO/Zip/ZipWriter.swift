import ConvAlgebraCore

/// Writes a ZIP archive of stored (uncompressed) members, the layout of NumPy's `np.savez` (and SciPy's
/// `save_npz(…, compressed=False)`), through ``AtomicFile``: the archive is complete or absent.
///
/// Each member is a local header (30 bytes + name, plus a ZIP64 extra field when its size needs 64 bits),
/// its bytes unchanged, then the central directory and the end record (in their ZIP64 forms when an offset,
/// a size or the count passes a 32-bit field). Dates are 1980-01-01 00:00, as NumPy writes them, so equal
/// content gives equal files.
/// - Complexity: one CRC-32 pass over the data, then one write of it; the headers are the only copies.
package enum ZipWriter {
    /// A member: its name and its bytes, given in parts (an NPY header and its data, without a join).
    package struct Member {
        package var name: String
        package var parts: [UnsafeRawBufferPointer]

        package init(name: String, parts: [UnsafeRawBufferPointer]) { self.name = name; self.parts = parts }
    }

    /// Writes `members` to `path`, atomically.
    /// - Throws: ``ConvAlgebraError/io(_:)``; ``ConvAlgebraError/invalidArgument(_:)`` for a name over 65 535 bytes.
    package static func write(_ members: [Member], to path: String) throws {
        var headers: [[UInt8]] = []
        var directory: [UInt8] = []
        var offset = 0
        for m in members {
            let name = Array(m.name.utf8)
            guard name.count <= 0xFFFF else { throw ConvAlgebraError.invalidArgument("a ZIP member name of \(name.count) bytes") }
            var crc = CRC32()
            var size = 0
            for part in m.parts { crc.update(part); size += part.count }
            let big = size >= 0xFFFF_FFFF, far = offset >= 0xFFFF_FFFF
            // Local header: the sizes move to a ZIP64 extra field when they do not fit in 32 bits.
            var local = fields([(0x0403_4B50, 4), (big ? 45 : 20, 2), (0, 2), (0, 2), (0, 2), (0x21, 2), (Int(crc.value), 4),
                                (big ? 0xFFFF_FFFF : size, 4), (big ? 0xFFFF_FFFF : size, 4), (name.count, 2), (big ? 20 : 0, 2)])
            local += name
            if big { local += fields([(1, 2), (16, 2), (size, 8), (size, 8)]) }
            // Central entry: sizes and the header offset in a ZIP64 extra field when they do not fit.
            var extra: [UInt8] = []
            if big { extra += fields([(size, 8), (size, 8)]) }
            if far { extra += fields([(offset, 8)]) }
            if !extra.isEmpty { extra = fields([(1, 2), (extra.count, 2)]) + extra }
            directory += fields([(0x0201_4B50, 4), (45, 2), (big || far ? 45 : 20, 2), (0, 2), (0, 2), (0, 2), (0x21, 2),
                                 (Int(crc.value), 4), (big ? 0xFFFF_FFFF : size, 4), (big ? 0xFFFF_FFFF : size, 4),
                                 (name.count, 2), (extra.count, 2), (0, 2), (0, 2), (0, 2), (0, 4),
                                 (far ? 0xFFFF_FFFF : offset, 4)])
            directory += name + extra
            offset += local.count + size
            headers.append(local)
        }
        let count = members.count, size = directory.count
        if count >= 0xFFFF || size >= 0xFFFF_FFFF || offset >= 0xFFFF_FFFF {
            // The ZIP64 end record, its locator, and a saturated classic end record.
            directory += fields([(0x0606_4B50, 4), (44, 8), (45, 2), (45, 2), (0, 4), (0, 4), (count, 8), (count, 8),
                                 (size, 8), (offset, 8)])
            directory += fields([(0x0706_4B50, 4), (0, 4), (offset + size, 8), (1, 4)])
            directory += fields([(0x0605_4B50, 4), (0, 2), (0, 2), (0xFFFF, 2), (0xFFFF, 2), (0xFFFF_FFFF, 4),
                                 (0xFFFF_FFFF, 4), (0, 2)])
        } else {
            directory += fields([(0x0605_4B50, 4), (0, 2), (0, 2), (count, 2), (count, 2), (size, 4), (offset, 4), (0, 2)])
        }
        try withRawBytes(headers + [directory]) { h in
            try AtomicFile.write(members.indices.flatMap { [h[$0]] + members[$0].parts } + [h[members.count]], to: path)
        }
    }

    /// Little-endian fields of the given byte widths.
    private static func fields(_ values: [(Int, Int)]) -> [UInt8] {
        values.flatMap { v, width in (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }
}
