import ConvAlgebra

/// An operator given by an explicit dense matrix and the matrix it claims as its transpose.
///
/// A test double: with `claimedTranspose = Aᵀ` it is a correct operator to compose with the library's;
/// with anything else it is a deliberately wrong one, to show that the shared checks catch it.
/// `skipsLastOutput` makes the direct form leave the last output of each sample unwritten.
public struct MatrixOperator<Scalar: BLASScalar>: LinearOperator {
    public let matrix: DenseMatrix<Scalar>
    public let claimedTranspose: DenseMatrix<Scalar>
    public let skipsLastOutput: Bool

    /// The operator of `a`, with its true transpose.
    public init(_ a: DenseMatrix<Scalar>) {
        self.init(matrix: a, claimedTranspose: a.transposed())
    }

    public init(matrix: DenseMatrix<Scalar>, claimedTranspose: DenseMatrix<Scalar>, skipsLastOutput: Bool = false) {
        self.matrix = matrix
        self.claimedTranspose = claimedTranspose
        self.skipsLastOutput = skipsLastOutput
    }

    public var domain: Shape { try! Shape([matrix.columns]) }
    public var codomain: Shape { try! Shape([matrix.rows]) }

    public var transposed: MatrixOperator {
        MatrixOperator(matrix: claimedTranspose, claimedTranspose: matrix, skipsLastOutput: skipsLastOutput)
    }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (m, n) = (matrix.rows, matrix.columns)
        for b in 0..<batch {
            for r in 0..<(skipsLastOutput ? m - 1 : m) {
                var s: Scalar = 0
                for c in 0..<n { s += matrix[r, c] * x[b * n + c] }
                y[b * m + r] = s
            }
        }
    }

    public func dense(budget: MemoryBudget = .default) throws -> DenseMatrix<Scalar> {
        try budget.check("a dense \(matrix.rows) × \(matrix.columns) matrix", count: matrix.entries.count,
                         elementBytes: MemoryLayout<Scalar>.stride)
        return matrix
    }

    public func sparse(budget: MemoryBudget = .default) throws -> CSRMatrix<Scalar> {
        var rows: [Int32] = [], cols: [Int32] = [], vals: [Scalar] = []
        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns where matrix[r, c] != 0 {
                rows.append(Int32(r)); cols.append(Int32(c)); vals.append(matrix[r, c])
            }
        }
        return try CSRMatrix(rows: matrix.rows, columns: matrix.columns, coordinates: rows, cols, vals)
    }

    /// The entries as constants.
    public func symbolic() throws -> SymbolicMatrix { constantSymbolicMatrix(matrix) }
}
