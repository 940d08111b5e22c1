import ConvAlgebraCore

/// A ZIP archive read from memory (PKWARE's APPNOTE), as NumPy's `.npz` files are: members stored (method 0)
/// or deflated (method 8, ``Inflate``), with the ZIP64 extensions NumPy always writes for its members.
///
/// The layout it reads, from the end:
/// ```
/// [local header 30 B + name + extra][data] …   central directory: [entry 46 B + name + extra + comment] …
/// [ZIP64 end record 56 B][ZIP64 locator 20 B]   end of central directory 22 B + comment (≤ 65 535 B)
/// ```
/// Sizes and offsets are taken from the central directory (ZIP64 extra field `0x0001` where a 32-bit field
/// is `0xFFFFFFFF`); a local header is read only for the lengths of its name and extra field.
///
/// Every field is checked before it is used: offsets and sizes inside the file and without overflow, an
/// entry count the directory can hold, one disk, no encryption, a known method, no duplicate names, and on
/// extraction the declared size within the memory budget, the exact decoded size and the CRC-32.
/// Every failure is a ``ConvAlgebraError/malformedFile(_:)``, never a trap.
package struct ZipArchive {
    /// One member, as the central directory describes it.
    package struct Entry: Equatable {
        package var name: String
        package var method: Int
        package var crc: UInt32
        package var compressedSize: Int
        package var uncompressedSize: Int
        /// Where the member's local header starts.
        package var headerOffset: Int
    }

    package let entries: [Entry]
    private let bytes: [UInt8]

    /// Reads the central directory of the archive in `bytes`.
    /// - Throws: ``ConvAlgebraError/malformedFile(_:)``.
    package init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let end = try Self.endRecord(bytes)
        var entries: [Entry] = []
        var p = end.directoryOffset
        for _ in 0..<end.count {
            let e = try Self.entry(bytes, at: &p, directoryEnd: end.directoryOffset + end.directorySize)
            guard !entries.contains(where: { $0.name == e.name }) else { throw Self.error("two members named '\(e.name)'") }
            entries.append(e)
        }
        self.entries = entries
    }

    /// The member named `name`, nil when there is none.
    package func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The uncompressed bytes of `entry`.
    /// - Throws: ``ConvAlgebraError/malformedFile(_:)`` for a local header or data outside the file, a size or
    ///   CRC-32 that does not match; a memory-budget error when the declared size is over `budget`.
    package func contents(of entry: Entry, budget: MemoryBudget) throws -> [UInt8] {
        let h = entry.headerOffset
        guard h <= bytes.count - 30, Self.u32(bytes, h) == 0x0403_4B50 else {
            throw Self.error("the member '\(entry.name)' has no local header at offset \(h)")
        }
        let start = h + 30 + Self.u16(bytes, h + 26) + Self.u16(bytes, h + 28)
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw Self.error("the data of '\(entry.name)' (\(entry.compressedSize) bytes) runs past the end of the file")
        }
        try budget.check("the member '\(entry.name)'", count: entry.uncompressedSize, elementBytes: 1)
        let data: [UInt8] = try bytes.withUnsafeBytes { all in
            let raw = UnsafeRawBufferPointer(rebasing: all[start..<(start + entry.compressedSize)])
            if entry.method == 0 {
                guard entry.compressedSize == entry.uncompressedSize else {
                    throw Self.error("the stored member '\(entry.name)' declares \(entry.uncompressedSize) bytes but holds \(entry.compressedSize)")
                }
                return Array(raw)
            }
            do { return try Inflate.decompress(raw, expectedCount: entry.uncompressedSize) } catch ConvAlgebraError.malformedFile(let m) {
                throw Self.error("member '\(entry.name)': \(m)")
            }
        }
        guard CRC32.checksum(data) == entry.crc else { throw Self.error("the CRC-32 of '\(entry.name)' does not match its data") }
        return data
    }

    // MARK: - The directory

    /// The central directory's place and entry count, from the end record (and its ZIP64 form when a field
    /// is saturated).
    private static func endRecord(_ b: [UInt8]) throws -> (count: Int, directoryOffset: Int, directorySize: Int) {
        guard b.count >= 22 else { throw error("not a ZIP archive (\(b.count) bytes, shorter than an end record)") }
        // The record is the last 22 bytes plus a comment of at most 65 535 bytes: search back that far.
        var at = -1
        for p in stride(from: b.count - 22, through: max(0, b.count - 22 - 0xFFFF), by: -1)
        where u32(b, p) == 0x0605_4B50 && p + 22 + u16(b, p + 20) == b.count {
            at = p; break
        }
        guard at >= 0 else { throw error("not a ZIP archive (no end of central directory record)") }
        guard u16(b, at + 4) == 0, u16(b, at + 6) == 0 else { throw error("a multi-disk archive is not supported") }
        var count = u16(b, at + 10), size = u32(b, at + 12), offset = u32(b, at + 16)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            let locator = at - 20
            guard locator >= 0, u32(b, locator) == 0x0706_4B50 else { throw error("a saturated end record without a ZIP64 locator") }
            let record = u64(b, locator + 8)
            guard record >= 0, record <= b.count - 56, u32(b, record) == 0x0606_4B50 else {
                throw error("the ZIP64 end record is not where its locator says")
            }
            count = u64(b, record + 32); size = u64(b, record + 40); offset = u64(b, record + 48)
        }
        guard offset >= 0, size >= 0, count >= 0, offset <= b.count, size <= b.count - offset else {
            throw error("the central directory (\(size) bytes at offset \(offset)) lies outside the file")
        }
        guard count <= size / 46 else { throw error("\(count) members cannot fit in a central directory of \(size) bytes") }
        return (count, offset, size)
    }

    /// The central-directory entry at `p`, advancing `p` past it.
    private static func entry(_ b: [UInt8], at p: inout Int, directoryEnd: Int) throws -> Entry {
        guard p <= directoryEnd - 46, u32(b, p) == 0x0201_4B50 else { throw error("a corrupt central directory entry") }
        let flags = u16(b, p + 8), method = u16(b, p + 10)
        let nameLength = u16(b, p + 28), extraLength = u16(b, p + 30), commentLength = u16(b, p + 32)
        let next = p + 46 + nameLength + extraLength + commentLength
        guard next <= directoryEnd else { throw error("a central directory entry runs past the directory") }
        guard let name = String(validating: b[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self) else {
            throw error("a member name that is not UTF-8")
        }
        guard flags & 1 == 0 else { throw error("the member '\(name)' is encrypted") }
        guard method == 0 || method == 8 else {
            throw error("the member '\(name)' uses compression method \(method) (supported: 0 stored, 8 deflate)")
        }
        if u16(b, p + 34) != 0 { throw error("a multi-disk archive is not supported") }
        var e = Entry(name: name, method: method, crc: UInt32(u32(b, p + 16)), compressedSize: u32(b, p + 20),
                      uncompressedSize: u32(b, p + 24), headerOffset: u32(b, p + 42))
        try zip64(b, extra: (p + 46 + nameLength)..<(p + 46 + nameLength + extraLength), into: &e)
        p = next
        return e
    }

    /// Replaces the saturated fields of `e` from its ZIP64 extra field (in the order uncompressed size,
    /// compressed size, header offset, each present only when its 32-bit field is `0xFFFFFFFF`).
    private static func zip64(_ b: [UInt8], extra: Range<Int>, into e: inout Entry) throws {
        var p = extra.lowerBound
        while p + 4 <= extra.upperBound {
            let id = u16(b, p), length = u16(b, p + 2)
            guard p + 4 + length <= extra.upperBound else { throw error("an extra field of '\(e.name)' runs past its entry") }
            if id == 0x0001 {
                var q = p + 4
                func next() throws -> Int {
                    guard q + 8 <= p + 4 + length else { throw error("a short ZIP64 field in '\(e.name)'") }
                    defer { q += 8 }
                    let v = u64(b, q)
                    guard v >= 0 else { throw error("a ZIP64 size of '\(e.name)' beyond 2⁶³") }
                    return v
                }
                if e.uncompressedSize == 0xFFFF_FFFF { e.uncompressedSize = try next() }
                if e.compressedSize == 0xFFFF_FFFF { e.compressedSize = try next() }
                if e.headerOffset == 0xFFFF_FFFF { e.headerOffset = try next() }
            }
            p += 4 + length
        }
    }

    // MARK: - Little-endian fields (callers check the bounds)

    package static func u16(_ b: [UInt8], _ p: Int) -> Int { Int(b[p]) | Int(b[p + 1]) << 8 }
    package static func u32(_ b: [UInt8], _ p: Int) -> Int { u16(b, p) | u16(b, p + 2) << 16 }
    /// 64 bits as an `Int`: negative when the top bit is set, which callers refuse.
    package static func u64(_ b: [UInt8], _ p: Int) -> Int { u32(b, p) | u32(b, p + 4) << 32 }

    private static func error(_ what: String) -> ConvAlgebraError { .malformedFile("malformed ZIP archive: \(what)") }
}
