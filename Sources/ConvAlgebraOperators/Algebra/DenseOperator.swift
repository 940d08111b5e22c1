import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// A linear map given by an explicit matrix: a fully connected layer (ONNX `Gemm`, `MatMul` with a constant
/// weight), `y = W x` on one sample flattened in C order.
///
/// ```
/// y[r] = Σ_c W[r, c] · x[c],      Aᵀ = the operator of Wᵀ
/// ```
/// - Complexity: `2 · rows · columns` FLOPs per sample (one GEMV, or one GEMM for a batch).
public struct DenseOperator<Scalar: BLASScalar>: LinearOperator, Equatable {
    /// The matrix `W` (`codomain.count × domain.count`).
    public let matrix: DenseMatrix<Scalar>
    public let domain: Shape, codomain: Shape

    /// The operator of `matrix` from samples of `domain` to samples of `codomain` (by default the flat shapes).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the shapes' counts are not the matrix's columns and rows.
    public init(_ matrix: DenseMatrix<Scalar>, domain: Shape? = nil, codomain: Shape? = nil) throws {
        let d = try domain ?? Shape([matrix.columns]), c = try codomain ?? Shape([matrix.rows])
        guard d.count == matrix.columns, c.count == matrix.rows else {
            throw ConvAlgebraError.shapeMismatch(
                "a \(matrix.rows) × \(matrix.columns) matrix cannot map \(d) to \(c)")
        }
        self.matrix = matrix; self.domain = d; self.codomain = c
    }

    /// `Wᵀ`, from the codomain back to the domain.
    public var transposed: DenseOperator { try! DenseOperator(matrix.transposed(), domain: codomain, codomain: domain) }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        matrix.applyUnchecked(x, y, batch: batch)
    }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        try budget.check("a dense \(matrix.rows) × \(matrix.columns) matrix", count: matrix.entries.count,
                         elementBytes: MemoryLayout<Scalar>.stride)
        return matrix
    }

    /// The non-zero entries of `W` in CSR form.
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        let nnz = matrix.entries.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        try budget.check("a sparse \(matrix.rows) × \(matrix.columns) matrix with \(nnz) terms", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        let (m, n) = (matrix.rows, matrix.columns)
        return try CSRMatrix(rows: m, columns: n, count: nnz) { emit in
            for r in 0..<m { for c in 0..<n where matrix.entries[r * n + c] != 0 { emit(r, Int32(c), matrix.entries[r * n + c]) } }
        }
    }

    /// The entries as constants (a fixed matrix has no kernel taps).
    public func symbolic() throws -> SymbolicMatrix {
        let (m, n) = (matrix.rows, matrix.columns)
        try MemoryBudget(bytes: 1 << 28).check("a symbolic \(m) × \(n) matrix", count: matrix.entries.count,
                                              elementBytes: MemoryLayout<SymbolicEntry>.stride)
        var s = SymbolicMatrix(zeros: m, n)
        for i in matrix.entries.indices { s.entries[i] = SymbolicEntry(constant: Double(matrix.entries[i])) }
        return s
    }
}
