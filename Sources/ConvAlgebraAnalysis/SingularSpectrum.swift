import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The singular values of an operator and what they say: norm, conditioning, rank, null space.
///
/// For an `m × n` operator `A` with singular values `σ₁ ≥ … ≥ σ_min(m,n)`:
/// ```
/// ‖A‖₂ = σ₁                     (the Lipschitz constant of the layer)
/// tol  = σ₁ · max(m, n) · ε       (NumPy's matrix_rank tolerance, ε of the scalar the values were computed in)
/// rank = #{ i : σᵢ > tol },   nullity = n − rank   (the dimension of the inputs that A maps to 0)
/// κ(A) = σ₁ / σ_min(m,n)         (nil when rank < min(m, n): the operator is singular)
/// ```
/// `Aᵀ` has the same singular values; its nullity is `m − rank`.
public struct SingularSpectrum: Sendable, Equatable {
    /// All singular values, descending (`min(m, n)` of them).
    public let values: [Double]
    /// The operator's rows `m` (codomain size) and columns `n` (domain size).
    public let rows: Int, columns: Int
    /// The machine epsilon of the precision the values were computed in.
    public let epsilon: Double

    /// - Parameters:
    ///   - values: the singular values in any order (they are sorted descending).
    ///   - epsilon: the machine epsilon of the computation, for the rank tolerance.
    public init(values: [Double], rows: Int, columns: Int, epsilon: Double) {
        self.values = values.sorted(by: >)
        self.rows = rows
        self.columns = columns
        self.epsilon = epsilon
    }

    /// `‖A‖₂ = σ₁` (0 for an empty operator).
    public var spectralNorm: Double { values.first ?? 0 }

    /// `σ₁ · max(m, n) · ε`: singular values at or below it count as zero (NumPy's `matrix_rank` default).
    public var rankTolerance: Double { spectralNorm * Double(Swift.max(rows, columns)) * epsilon }

    /// The number of singular values above ``rankTolerance``.
    public var rank: Int { values.prefix { $0 > rankTolerance }.count }

    /// `n − rank`: the dimension of the null space of the domain.
    public var nullity: Int { columns - rank }

    /// `σ₁ / σ_min(m,n)`, or nil when the operator is singular (`rank < min(m, n)`) or empty.
    public var conditionNumber: Double? {
        guard let last = values.last, !values.isEmpty, rank == values.count else { return nil }
        return spectralNorm / last
    }
}

extension LinearOperator {
    /// All singular values of the operator for one sample, through its dense matrix and `?gesdd`.
    ///
    /// The operator and its ``LinearOperator/transposed`` have the same values.
    /// - Throws: a memory-budget error when the dense matrix plus the SVD's workspace does not fit `budget`
    ///   (use ``PowerIteration`` or ``CircularConvolutionSpectrum`` for large operators); LAPACK failures.
    /// - Complexity: materialisation `O(m·n)` plus about `4·m·n·min(m,n)` FLOPs.
    public func singularSpectrum(budget: MemoryBudget = .default) throws -> SingularSpectrum {
        let (m, n) = matrixSize
        // Check the whole need (matrix, SVD copy, workspace) before materialising anything.
        let entries = try Checked.multiply(m, n, "a \(m) × \(n) matrix")
        let need = try Checked.add(try Checked.multiply(entries, 2, "the SVD of a \(m) × \(n) operator"),
                                   8 * Swift.min(m, n) + Swift.max(m, n), "the SVD of a \(m) × \(n) operator")
        try budget.check("a dense SVD of the \(m) × \(n) operator (use power iteration or the FFT method instead)",
                         count: need, elementBytes: MemoryLayout<Scalar>.stride)
        let values = try dense(budget: budget).singularValues(budget: budget)
        return SingularSpectrum(values: values.map(Double.init), rows: m, columns: n, epsilon: Double(Scalar.ulpOfOne))
    }
}
