import ConvAlgebra
import ConvAlgebraIO

#if canImport(Glibc)
import Glibc
#endif

/// A `.npy` file read in parts: its header, then for samples `b` of a batch of shape `(…, sample)` the slab
/// `x[b, rows]` of each sample, as a process of `convalgebra-mpi` reads only its rows. Values are converted to
/// `Double` (PETSc's scalar) from the file's `<f4` or `<f8`.
///
/// - Complexity: one `pread` of `rows.count · itemsize` bytes per sample; memory O(rows.count · samples).
struct NPYSlab {
    let path: String
    let header: NPYHeader
    /// The byte offset of the first element.
    let dataOffset: Int

    var shape: [Int] { header.shape }
    var isFloat32: Bool { header.descr == "<f4" }

    /// The header of the file at `path`, checked to be a C-ordered float32/float64 array whose data the file holds
    /// in full.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when the file cannot be read, ``ConvAlgebraError/malformedNPY(_:)``
    ///   for a malformed, Fortran-ordered or truncated one.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConvAlgebraError.io("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ConvAlgebraError.io("cannot read '\(path)': not a regular file")
        }
        var prefix = [UInt8](repeating: 0, count: 12)
        let got = prefix.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, 0) }
        let (major, length): (UInt8, Int) = try prefix.prefix(max(got, 0)).withUnsafeBytes { b in
            let major = try NPYHeader.version(b)
            return (major, try NPYHeader.headerLength(b, major: major))
        }
        let start = NPYHeader.prefixLength(major: major)
        guard length <= 1 << 20, start + length <= Int(st.st_size) else {
            throw ConvAlgebraError.malformedNPY("'\(path)': truncated header")
        }
        var text = [UInt8](repeating: 0, count: length)
        _ = text.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(start)) }
        header = try text.withUnsafeBytes { b in
            do { return try NPYHeader(text: b) } catch ConvAlgebraError.malformedNPY(let m) {
                throw ConvAlgebraError.malformedNPY("'\(path)': \(m)")
            }
        }
        dataOffset = start + length
        let bytes = try Checked.multiply(header.count, header.itemSize, "the data of '\(path)'")
        guard dataOffset + bytes <= Int(st.st_size) else {
            throw ConvAlgebraError.malformedNPY("'\(path)': the file is shorter than its shape \(NPYHeader.tuple(header.shape)) needs")
        }
    }

    /// Reads `x[b, rows]` for each `b` in `samples` (each sample `sampleCount` elements) into `out`, sample `b`
    /// at `out + (b − samples.lowerBound) · stride` (PETSc's column-major dense layout with leading dimension `stride`).
    /// - Throws: ``ConvAlgebraError/io(_:)`` for a failed or short read.
    func read(samples: Range<Int>, sampleCount: Int, rows: Range<Int>, into out: UnsafeMutablePointer<Double>, stride: Int) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConvAlgebraError.io("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let item = header.itemSize, n = rows.count
        guard n > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: n * item)
        for (j, b) in samples.enumerated() {
            let offset = dataOffset + (b * sampleCount + rows.lowerBound) * item
            try buffer.withUnsafeMutableBytes { try SlabFile.readFully(fd, $0, at: offset, path: path) }
            let column = out + j * stride
            buffer.withUnsafeBytes { raw in
                if isFloat32 {
                    for i in 0..<n { column[i] = Double(raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) }
                } else {
                    for i in 0..<n { column[i] = raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self) }
                }
            }
        }
    }
}

/// Whole positioned reads and writes, retried until done.
enum SlabFile {
    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < buffer.count {
            let r = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw ConvAlgebraError.io("cannot read '\(path)': \(r < 0 ? String(cString: strerror(errno)) : "unexpected end of file")") }
            done += r
        }
    }

    static func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < buffer.count {
            let r = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw ConvAlgebraError.io("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            done += r
        }
    }
}
