import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraMatrices

/// The file formats an operator's matrix is exported to, and the one way to write a matrix in each.
///
/// - `npz`: SciPy's CSR layout (``NPZ``), read by `scipy.sparse.load_npz`;
/// - `mtx`: Matrix Market `coordinate real general` (``MatrixMarket``), read by `scipy.io.mmread`;
/// - `npy`: the dense matrix as a 2-D `.npy` array (``NPY``), read by `numpy.load`.
///
/// Rows are the codomain's elements and columns the domain's, each in the C-order flattening of its shape.
public enum MatrixFormat: String, CaseIterable, Sendable {
    case npz, mtx, npy

    /// The format named by the extension of `path` (case-insensitive).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for another extension, naming the known ones.
    public init(path: String) throws {
        let name = path.split(separator: "/").last ?? ""
        let ext = name.contains(".") ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        guard let f = MatrixFormat(rawValue: ext) else {
            throw ConvAlgebraError.invalidArgument(
                "cannot tell the format of '\(path)' from its extension (known: .npz, .mtx, .npy); give --format")
        }
        self = f
    }

    /// Whether the format holds a sparse (CSR) matrix, as opposed to a dense one.
    public var isSparse: Bool { self != .npy }

    /// Writes `m` to `path` in this format, atomically (`npy` densifies it under `budget`).
    /// - Throws: ``ConvAlgebraError/io(_:)``; a memory-budget error.
    public func write<S: BLASScalar>(_ m: CSRMatrix<S>, to path: String, budget: MemoryBudget = .default) throws {
        switch self {
        case .npz: try NPZ.write(m, to: path, budget: budget)
        case .mtx: try MatrixMarket.write(m, to: path, budget: budget)
        case .npy: try write(try m.dense(budget: budget), to: path, budget: budget)
        }
    }

    /// Writes `m` to `path` in this format, atomically (`npz` and `mtx` store its non-zero entries).
    /// - Throws: ``ConvAlgebraError/io(_:)``; a memory-budget error.
    public func write<S: BLASScalar>(_ m: DenseMatrix<S>, to path: String, budget: MemoryBudget = .default) throws {
        guard self == .npy else { return try write(try Self.sparse(m, budget: budget), to: path, budget: budget) }
        try NPY.write(try Tensor(shape: try Shape([m.rows, m.columns]), scalars: m.entries), to: path)
    }

    /// The CSR matrix of the non-zero entries of `m`, row by row.
    private static func sparse<S: BLASScalar>(_ m: DenseMatrix<S>, budget: MemoryBudget) throws -> CSRMatrix<S> {
        let nnz = m.entries.reduce(0) { $1 != 0 ? $0 + 1 : $0 }
        try budget.check("a CSR matrix of \(nnz) entries", count: nnz, elementBytes: 4 + MemoryLayout<S>.stride)
        var offsets = [0], columns: [Int32] = [], values: [S] = []
        columns.reserveCapacity(nnz); values.reserveCapacity(nnz)
        for i in 0..<m.rows {
            for j in 0..<m.columns where m[i, j] != 0 { columns.append(Int32(j)); values.append(m[i, j]) }
            offsets.append(values.count)
        }
        return try CSRMatrix(rows: m.rows, columns: m.columns, rowOffsets: offsets, columnIndices: columns, values: values)
    }
}
