import ConvAlgebraCore
import ConvAlgebraBackends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An array read from a `.npy` file: float32 or float64, as the file's dtype says.
public enum NPYArray: Sendable, Equatable {
    case float32(Tensor<Float>)
    case float64(Tensor<Double>)

    /// The array's shape (`[]` for a 0-d scalar, which holds one element).
    public var shape: Shape {
        switch self {
        case .float32(let t): return t.shape
        case .float64(let t): return t.shape
        }
    }

    /// NumPy's name of the dtype: `float32` or `float64`.
    public var dtypeName: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        }
    }

    /// The array as a tensor of `S`, which must be its dtype (no silent conversion).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when the dtype differs, naming `what` and both dtypes.
    public func tensor<S: BLASScalar>(of type: S.Type = S.self, what: String = "the array") throws -> Tensor<S> {
        switch self {
        case .float32(let t as Tensor<S>): return t
        case .float64(let t as Tensor<S>): return t
        default:
            throw ConvAlgebraError.invalidArgument(
                "\(what) has dtype \(dtypeName), but \(NPY.dtypeName(of: S.self)) is needed (X, W and B must have the same dtype)")
        }
    }
}

/// NumPy `.npy` files: little-endian float32 (`<f4`) and float64 (`<f8`), C order, format 1.0, 2.0
/// (and 3.0 on reading).
///
/// Reading checks everything before it allocates: the magic and version, the header dict (exactly the
/// keys `descr`, `fortran_order`, `shape`), the dtype, the order, the shape (non-negative, element count
/// and byte count without overflow, within ``MemoryBudget/default``), and that the data is exactly
/// `count · itemsize` bytes. NumPy's `np.load` ignores bytes after the data; this reader rejects them,
/// because a header whose shape does not describe all of the data is more likely a corrupt file than
/// a stream of several arrays. Every failure is a one-line ``ConvAlgebraError``, never a trap.
///
/// Data is copied as stored, in the host's byte order, which is little-endian on every platform Swift
/// targets here (x86_64, arm64).
///
/// Writing produces version 1.0 when the header fits its 16-bit length, else 2.0, with the data aligned
/// to 64 bytes as NumPy does, through `AtomicFile` (temporary file, then `rename`).
public enum NPY {
    // MARK: - Reading

    /// Reads the `.npy` file at `path`.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when the file cannot be opened or read;
    ///   ``ConvAlgebraError/malformedNPY(_:)`` (naming the path) for every malformed or unsupported file;
    ///   a memory-budget error for an array too large to hold.
    /// - Complexity: one read of the file; no copy beyond the returned tensor.
    public static func read(path: String, budget: MemoryBudget = .default) throws -> NPYArray {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemIO.error("cannot open '\(path)'") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemIO.error("cannot read '\(path)'") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw ConvAlgebraError.io("cannot read '\(path)': it is a directory") }
            // A pipe or device has no size up front: read it whole, then parse from memory.
            return try named(path) { try read(bytes: try readStream(fd, path: path, budget: budget), budget: budget) }
        }
        var file = FileSource(fd: fd, path: path, size: Int(st.st_size))
        return try named(path) { try decode(&file, budget: budget) }
    }

    /// Reads a `.npy` file held in memory.
    /// - Throws: as ``read(path:budget:)``, without a path in the messages.
    public static func read(bytes: [UInt8], budget: MemoryBudget = .default) throws -> NPYArray {
        var source = ByteSource(bytes: bytes)
        return try decode(&source, budget: budget)
    }

    // MARK: - Writing

    /// The bytes of `t` as a `.npy` file (`S.npyDescriptor`, C order).
    public static func encode<S: BLASScalar>(_ t: Tensor<S>) -> [UInt8] {
        var out = header(of: t).encoded()
        t.scalars.withUnsafeBytes { out += $0 }
        return out
    }

    /// Writes `t` to `path` atomically: a failure never leaves a partial file or clobbers an existing one.
    /// - Throws: ``ConvAlgebraError/io(_:)``.
    /// - Complexity: `count · itemsize` bytes written once (no copy of the data on a little-endian host).
    public static func write<S: BLASScalar>(_ t: Tensor<S>, to path: String) throws {
        let head = header(of: t).encoded()
        try head.withUnsafeBytes { h in
            try t.scalars.withUnsafeBytes { d in try AtomicFile.write([h, d], to: path) }
        }
    }

    /// Writes an ``NPYArray`` in its own dtype.
    public static func write(_ a: NPYArray, to path: String) throws {
        switch a {
        case .float32(let t): try write(t, to: path)
        case .float64(let t): try write(t, to: path)
        }
    }

    /// `float32` or `float64`.
    public static func dtypeName<S: BLASScalar>(of _: S.Type) -> String {
        S.self == Float.self ? "float32" : "float64"
    }

    // MARK: - Implementation

    package static func header<S: BLASScalar>(of t: Tensor<S>) -> NPYHeader {
        NPYHeader(descr: S.npyDescriptor, fortranOrder: false, shape: t.shape.dims)
    }

    /// Prefixes a malformed-file message with the path it came from.
    private static func named<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch ConvAlgebraError.malformedNPY(let m) {
            throw ConvAlgebraError.malformedNPY("'\(path)': \(m)")
        }
    }

    private static func decode<Source: NPYSource>(_ source: inout Source, budget: MemoryBudget) throws -> NPYArray {
        let size = source.size
        let start = try source.read(min(size, 12))
        let major = try start.withUnsafeBytes { try NPYHeader.version($0) }
        let headerLength = try start.withUnsafeBytes { try NPYHeader.headerLength($0, major: major) }
        let prefix = NPYHeader.prefixLength(major: major)
        guard headerLength <= size - prefix else {
            throw ConvAlgebraError.malformedNPY(
                "truncated header: it declares \(headerLength) bytes, but only \(size - prefix) follow")
        }
        let text = Array(start[prefix...]) + (try source.read(max(0, headerLength - (start.count - prefix))))
        let header = try text.prefix(headerLength).withUnsafeBytes { try NPYHeader(text: $0) }
        let count = header.count
        let (dataBytes, overflow) = count.multipliedReportingOverflow(by: header.itemSize)
        guard !overflow else {
            throw ConvAlgebraError.malformedNPY("the data size of shape \(NPYHeader.tuple(header.shape)) overflows")
        }
        let available = size - prefix - headerLength
        guard available >= dataBytes else {
            throw ConvAlgebraError.malformedNPY(
                "truncated data: shape \(NPYHeader.tuple(header.shape)) of \(header.descr) needs \(dataBytes) bytes, but the file holds \(available)")
        }
        guard available == dataBytes else {
            throw ConvAlgebraError.malformedNPY(
                "\(available - dataBytes) unexpected bytes after the data of shape \(NPYHeader.tuple(header.shape)) (\(dataBytes) bytes)")
        }
        // Skip whatever of the header the first read took beyond its end (only possible for tiny headers).
        let consumed = max(0, start.count - prefix - headerLength)
        let shape = try Shape(header.shape)
        if header.descr == "<f4" {
            return .float32(try tensor(Float.self, shape: shape, from: &source, consumed: Array(start.suffix(consumed)), budget: budget))
        }
        return .float64(try tensor(Double.self, shape: shape, from: &source, consumed: Array(start.suffix(consumed)), budget: budget))
    }

    private static func tensor<S: BLASScalar, Source: NPYSource>(
        _: S.Type, shape: Shape, from source: inout Source, consumed: [UInt8], budget: MemoryBudget
    ) throws -> Tensor<S> {
        try budget.check("an array of shape \(shape)", count: shape.count, elementBytes: MemoryLayout<S>.stride)
        var scalars = [S](repeating: 0, count: shape.count)
        try scalars.withUnsafeMutableBytes { raw in
            raw.copyBytes(from: consumed)
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[consumed.count...]))
        }
        return try Tensor(shape: shape, scalars: scalars)
    }
}
