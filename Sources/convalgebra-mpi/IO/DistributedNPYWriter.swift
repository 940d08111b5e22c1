import ConvAlgebra
import ConvAlgebraIO

#if canImport(Glibc)
import Glibc
#endif

/// A `.npy` file written by all processes at once, each its rows of every sample, and published atomically:
/// rank 0 creates a temporary file beside the target with the header and the full size, every process writes its
/// slabs with `pwrite`, and after all have finished rank 0 renames it onto the target. A failure on any process
/// removes the temporary file, so an error never leaves a partial output behind (as `convalgebra apply`).
///
/// - Complexity: one `pwrite` of `rows.count · itemsize` bytes per sample and process.
final class DistributedNPYWriter {
    let path: String
    let temporary: String
    let header: NPYHeader
    let dataOffset: Int
    private var committed = false

    /// Creates the temporary file for an array of `shape` (float32 when `float32`, else float64): collective.
    init(path: String, shape: [Int], float32: Bool) throws {
        self.path = path
        header = NPYHeader(descr: float32 ? "<f4" : "<f8", fortranOrder: false, shape: shape)
        let head = header.encoded()
        dataOffset = head.count
        // One name for all processes: rank 0's process id.
        temporary = path + ".partial-\(PETScRuntime.broadcast(Int(getpid())))"
        let bytes = try Checked.multiply(header.count, header.itemSize, "the output '\(path)'")
        let (temporary, path) = (temporary, path)
        try PETScRuntime.agreeing {
            guard PETScRuntime.rank == 0 else { return }
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ConvAlgebraError.io("cannot create '\(path)': \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try head.withUnsafeBytes { try SlabFile.writeFully(fd, $0, at: 0, path: path) }
            guard ftruncate(fd, off_t(head.count + bytes)) == 0 else {
                unlink(temporary)
                throw ConvAlgebraError.io("cannot size '\(path)': \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes `values[j · stride + i]` as element `rows.lowerBound + i` of sample `samples.lowerBound + j`.
    func write(samples: Range<Int>, sampleCount: Int, rows: Range<Int>, from values: UnsafePointer<Double>, stride: Int) throws {
        guard !rows.isEmpty else { return }
        let fd = open(temporary, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConvAlgebraError.io("cannot open '\(temporary)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let item = header.itemSize, n = rows.count
        var buffer = [UInt8](repeating: 0, count: n * item)
        for (j, b) in samples.enumerated() {
            let column = values + j * stride
            buffer.withUnsafeMutableBytes { raw in
                if item == 4 {
                    for i in 0..<n { raw.storeBytes(of: Float(column[i]), toByteOffset: i * 4, as: Float.self) }
                } else {
                    for i in 0..<n { raw.storeBytes(of: column[i], toByteOffset: i * 8, as: Double.self) }
                }
            }
            let offset = dataOffset + (b * sampleCount + rows.lowerBound) * item
            try buffer.withUnsafeBytes { try SlabFile.writeFully(fd, $0, at: offset, path: path) }
        }
    }

    /// Publishes the file once every process has written its part: collective.
    func commit() throws {
        let (temporary, path) = (temporary, path)
        try PETScRuntime.agreeing {
            guard PETScRuntime.rank == 0 else { return }
            let fd = open(temporary, O_WRONLY | O_CLOEXEC)
            if fd >= 0 { fsync(fd); close(fd) }
            guard rename(temporary, path) == 0 else {
                throw ConvAlgebraError.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        committed = true
    }

    deinit { if !committed && PETScRuntime.rank == 0 { unlink(temporary) } }
}
