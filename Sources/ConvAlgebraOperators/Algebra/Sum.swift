import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The sum of linear operators with one domain and one codomain, `A = Σ_i A_i`.
///
/// The polyphase split of a strided convolution, `↓k (q * x) = Σ_p q_p * ↓k(shift_p x)`, is one. The transpose
/// is the sum of the transposes, `(Σ A_i)ᵀ = Σ A_iᵀ`; the matrices are the sums of the terms' matrices.
/// - Complexity: the terms' costs plus one add per output and term after the first; scratch of one output batch.
public struct Sum<Scalar: BLASScalar>: LinearOperator {
    /// The terms, all of one domain and codomain.
    public let terms: [any LinearOperator<Scalar>]

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for no terms; ``ConvAlgebraError/shapeMismatch(_:)`` when
    ///   the terms' shapes differ.
    public init(_ terms: [any LinearOperator<Scalar>]) throws {
        guard let first = terms.first else { throw ConvAlgebraError.invalidArgument("a sum needs at least one term") }
        for t in terms.dropFirst() where t.domain != first.domain || t.codomain != first.codomain {
            throw ConvAlgebraError.shapeMismatch(
                "cannot add an operator \(t.domain) → \(t.codomain) to one \(first.domain) → \(first.codomain)")
        }
        self.terms = terms
    }

    public var domain: Shape { terms[0].domain }
    public var codomain: Shape { terms[0].codomain }
    /// `(Σ A_i)ᵀ = Σ A_iᵀ`.
    public var transposed: Sum { try! Sum(terms.map { $0.anyTransposed }) }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        terms[0].applyUnchecked(x, y, batch: batch)
        guard terms.count > 1 else { return }
        let n = batch * codomain.count
        var scratch = [Scalar](repeating: 0, count: n)
        scratch.withUnsafeMutableBufferPointer { s in
            for t in terms.dropFirst() {
                t.applyUnchecked(x, s.baseAddress!, batch: batch)
                for i in 0..<n { y[i] += s[i] }
            }
        }
    }

    /// The terms' CSR matrices added (entries at one position summed).
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        let parts = try terms.map { try $0.sparse(budget: budget) }
        let (m, n) = matrixSize
        let nnz = parts.reduce(0) { $0 + $1.nonzeroCount }
        try budget.check("a sparse \(m) × \(n) sum of \(nnz) entries", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        return try CSRMatrix(rows: m, columns: n, count: nnz) { emit in
            for p in parts {
                for r in 0..<p.rows {
                    for e in p.rowOffsets[r]..<p.rowOffsets[r + 1] { emit(r, p.columnIndices[e], p.values[e]) }
                }
            }
        }
    }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        var d = try terms[0].dense(budget: budget)
        for t in terms.dropFirst() {
            let e = try t.dense(budget: budget)
            for i in d.entries.indices { d.entries[i] += e.entries[i] }
        }
        return d
    }

    public func symbolic() throws -> SymbolicMatrix {
        var s = try terms[0].symbolic()
        for t in terms.dropFirst() {
            let e = try t.symbolic()
            for i in s.entries.indices { s.entries[i] = s.entries[i] + e.entries[i] }
        }
        return s
    }
}
