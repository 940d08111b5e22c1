import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// An operator defined by one enumeration of its terms: `A[r, c] += a · q[t]` (or `+= a` when the
/// operator has no kernel, `t < 0`).
///
/// This is the design's "one enumeration, many materialisations": the dense matrix, the CSR matrix,
/// the symbolic matrix and (for kernels) the weight-gradient operator all come from
/// ``forEachTerm(_:)``, so they cannot disagree with each other; the transpose enumerates the same
/// terms with `r` and `c` swapped, which is what makes it literal.
public protocol StencilOperator: LinearOperator {
    /// The kernel taps `q` the terms refer to (empty for kernel-free operators such as ↓k).
    var taps: [Scalar] { get }

    /// Whether ``LinearOperator/symbolic()`` names the taps (`q0`, `q1`, …: a learnable kernel) or prints their values
    /// (a fixed kernel such as nearest-neighbour up-sampling's `(1 … 1)`). Defaults to `true`.
    var tapsAreSymbols: Bool { get }

    /// The number of terms ``forEachTerm(_:)`` visits (an upper bound on the non-zeros). The default
    /// enumerates; operators that can count analytically (``Convolution``) do, so that a materialisation
    /// is checked against the memory budget before any work proportional to its size.
    var termCount: Int { get }

    /// Calls `body(row, column, tap, coefficient)` once per term; `tap` is −1 for a kernel-free term.
    func forEachTerm(_ body: (_ row: Int, _ column: Int, _ tap: Int, _ coefficient: Scalar) -> Void)

    /// The terms of ``forEachTerm(_:)`` whose row lies in `rows`, in the same order: one process's share of a
    /// distributed assembly. The default filters the whole enumeration (O(all terms)); an operator that can
    /// enumerate a row range alone (``Convolution``) does, in O(the range's terms).
    func forEachTerm(rows: Range<Int>, _ body: (_ row: Int, _ column: Int, _ tap: Int, _ coefficient: Scalar) -> Void)
}

extension StencilOperator {
    public var tapsAreSymbols: Bool { true }

    /// The whole enumeration, filtered to `rows`.
    public func forEachTerm(rows: Range<Int>, _ body: (_ row: Int, _ column: Int, _ tap: Int, _ coefficient: Scalar) -> Void) {
        forEachTerm { r, c, t, a in if rows.contains(r) { body(r, c, t, a) } }
    }

    /// The number of terms, found by one enumeration pass.
    public var termCount: Int {
        var n = 0
        forEachTerm { _, _, _, _ in n += 1 }
        return n
    }

    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> { try sparseByEnumeration(budget: budget) }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> { try denseByEnumeration(budget: budget) }

    /// The CSR matrix from the enumeration: checked against the budget with ``termCount`` first, then
    /// ``CSRBuilder``'s counting sort by row straight from two passes over the terms (no coordinate arrays).
    /// Operators with a faster typed builder (``Convolution``) fall back to this where the builder does not apply.
    public func sparseByEnumeration(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        let (m, n) = matrixSize
        // Its row offsets first: they are needed whatever the terms, and enumerating the terms of a huge operator
        // (or the maps it enumerates them from) would allocate and run unchecked before the count is known.
        try budget.check("the row offsets of a sparse \(m) × \(n) matrix", count: Checked.add(m, 1, "the row offsets"),
                         elementBytes: MemoryLayout<Int>.stride)
        let nnz = termCount
        try budget.check("a sparse \(m) × \(n) matrix with \(nnz) terms", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        let q = taps
        return try CSRMatrix(rows: m, columns: n, count: nnz) { emit in
            forEachTerm { r, c, t, a in emit(r, Int32(truncatingIfNeeded: c), t >= 0 ? a * q[t] : a) }
        }
    }

    /// The dense matrix from the enumeration, `A[r, c] += coefficient · q[tap]`, after the budget check.
    public func denseByEnumeration(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        let (m, n) = matrixSize
        var d = try DenseMatrix<Scalar>(zeros: m, n, budget: budget)
        let q = taps
        d.entries.withUnsafeMutableBufferPointer { e in
            forEachTerm { r, c, t, a in e[r * n + c] += t >= 0 ? a * q[t] : a }
        }
        return d
    }

    public func symbolic() throws -> SymbolicMatrix {
        let (m, n) = matrixSize
        try MemoryBudget(bytes: 1 << 28).check("a symbolic \(m) × \(n) matrix", count: Checked.multiply(m, n, "a symbolic matrix"),
                                              elementBytes: MemoryLayout<SymbolicEntry>.stride)
        var s = SymbolicMatrix(zeros: m, n)
        let q = taps, named = tapsAreSymbols
        forEachTerm { r, c, t, a in
            let term = t < 0 ? SymbolicEntry(constant: Double(a))
                : named ? SymbolicEntry(tap: t, coefficient: Double(a)) : SymbolicEntry(constant: Double(a * q[t]))
            s[r, c] = s[r, c] + term
        }
        return s
    }
}
