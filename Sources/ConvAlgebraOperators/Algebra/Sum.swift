import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The sum of linear operators on one domain and codomain, `A = F_0 + F_1 + ⋯`: a residual block `I + F`
/// (``Identity`` plus the branch), or two branches that meet at an `Add`.
///
/// ```
/// (F_0 + F_1) x = F_0 x + F_1 x,      (F_0 + F_1)ᵀ = F_0ᵀ + F_1ᵀ
/// ```
/// The transpose is the sum of the transposes, so `(Aᵀ)ᵀ` has the original terms again.
/// - Complexity: the sum of the terms' costs plus one add per output and term; scratch of
///   `batch · codomain.count` scalars. The CSR form is the merged sum of the terms' CSR matrices.
public struct Sum<Scalar: BLASScalar>: LinearOperator {
    /// The terms (at least one), all with the same domain and codomain.
    public let terms: [any LinearOperator<Scalar>]

    /// The sum of `terms`, flattening nested sums.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for no terms; ``ConvAlgebraError/shapeMismatch(_:)``
    ///   when the terms' domains or codomains differ.
    public init(_ terms: [any LinearOperator<Scalar>]) throws {
        var flat: [any LinearOperator<Scalar>] = []
        for t in terms {
            if let s = t as? Sum<Scalar> { flat.append(contentsOf: s.terms) } else { flat.append(t) }
        }
        guard let first = flat.first else { throw ConvAlgebraError.invalidArgument("a sum needs at least one term") }
        for t in flat.dropFirst() where t.domain != first.domain || t.codomain != first.codomain {
            throw ConvAlgebraError.shapeMismatch(
                "cannot add an operator \(t.domain) → \(t.codomain) to one \(first.domain) → \(first.codomain)")
        }
        self.terms = flat
    }

    public var domain: Shape { terms[0].domain }
    public var codomain: Shape { terms[0].codomain }

    /// `(Σ F_i)ᵀ = Σ F_iᵀ`.
    public var transposed: Sum<Scalar> { try! Sum(terms.map { $0.anyTransposed }) }

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

    /// The CSR matrices of the terms, merged (entries at one position add up).
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        let parts = try terms.map { try $0.sparse(budget: budget) }
        let nnz = try parts.reduce(0) { try Checked.add($0, $1.nonzeroCount, "the non-zeros of a sum") }
        try budget.check("a sum of \(terms.count) sparse matrices with \(nnz) terms", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        let (m, n) = matrixSize
        return try CSRMatrix(rows: m, columns: n, count: nnz) { emit in
            for p in parts {
                for r in 0..<m {
                    for e in p.rowOffsets[r]..<p.rowOffsets[r + 1] { emit(r, p.columnIndices[e], p.values[e]) }
                }
            }
        }
    }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        var a = try terms[0].dense(budget: budget)
        for t in terms.dropFirst() {
            let b = try t.dense(budget: budget)
            for i in a.entries.indices { a.entries[i] += b.entries[i] }
        }
        return a
    }

    public func symbolic() throws -> SymbolicMatrix {
        var a = try terms[0].symbolic()
        for t in terms.dropFirst() {
            let b = try t.symbolic()
            for i in a.entries.indices { a.entries[i] = a.entries[i] + b.entries[i] }
        }
        return a
    }
}

extension LinearOperator {
    /// The operator `self + other` (same domain and codomain).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the shapes differ.
    public func plus<Other: LinearOperator>(_ other: Other) throws -> Sum<Scalar> where Other.Scalar == Scalar {
        try Sum([self, other])
    }
}
