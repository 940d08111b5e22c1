import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// True deconvolution: the least-squares inverse of an operator, not its transpose.
///
/// The reference text's point is that a "transposed convolution" `Aᵀ` is a transpose, not an inverse:
/// `Aᵀ A x ≠ x` unless `A` is orthogonal. The inverse that does exist for any operator is the
/// (regularised) least-squares one:
/// ```
/// x̂ = argmin ‖A x − y‖² + λ‖x‖² = (AᵀA + λI)⁻¹ Aᵀ y     (λ > 0, Tikhonov)
/// x̂ = A⁺ y                                               (λ = 0, minimum-norm; A⁺ the pseudo-inverse)
/// ```
/// computed by `?gelsd` on the dense matrix (the augmented `[A; √λ I]` when `λ > 0`).

/// The result of ``LinearOperator/leastSquares(_:regularization:budget:)``.
public struct LeastSquaresSolution<Scalar: BLASScalar>: Sendable, Equatable {
    /// The solution: the right-hand side's batch extents followed by the operator's domain.
    public let solution: Tensor<Scalar>
    /// The rank of the solved system (of `A` when `λ = 0`, of `[A; √λ I]` otherwise, which is full).
    public let rank: Int
    /// The number of unknowns per sample, `n` (the domain size).
    public let unknowns: Int
    /// The Tikhonov weight `λ` that was used.
    public let regularization: Scalar
    /// The singular values of the solved system, descending (`√(σᵢ² + λ)` when regularised).
    public let singularValues: [Scalar]

    /// `n − rank`: the null-space dimension of the solved system; non-zero means the solution is only the
    /// minimum-norm one among many.
    public var nullity: Int { unknowns - rank }
}

extension LinearOperator {
    /// The least-squares solution of `A x = y` for every sample of `y`, optionally Tikhonov-regularised.
    ///
    /// `y` has shape `batch extents + codomain`; the solution has shape `batch extents + domain`. All samples
    /// are solved together as the right-hand sides of one `?gelsd` call. With `λ = 0` a rank-deficient `A`
    /// gives the minimum-norm solution (``LeastSquaresSolution/nullity`` > 0 says so).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `y` does not end in the codomain;
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for a negative or non-finite `λ`; a memory-budget error
    ///   when the dense system does not fit.
    /// - Complexity: about `4·m'·n·min(m',n)` FLOPs (`m' = m`, or `m + n` with `λ > 0`) plus `O(m'·n)` memory.
    public func leastSquares(_ y: Tensor<Scalar>, regularization lambda: Scalar = 0,
                             budget: MemoryBudget = .default) throws -> LeastSquaresSolution<Scalar> {
        let (m, n) = matrixSize
        let batch = try y.batchCount(sampleShape: codomain)
        let leading = Array(y.shape.dims.dropLast(codomain.rank))
        let outShape = try Shape(leading + domain.dims)
        let a = try dense(budget: budget)
        // LAPACK wants the right-hand sides as columns: B = Yᵀ (m × batch), and returns X (n × batch).
        let b = try DenseMatrix(rows: batch, columns: m, entries: y.scalars).transposed()
        let (x, rank, s) = try a.leastSquares(b, regularization: lambda, budget: budget)
        let solution = try Tensor(shape: outShape, scalars: x.transposed().entries)
        return LeastSquaresSolution(solution: solution, rank: rank, unknowns: n, regularization: lambda, singularValues: s)
    }

    /// Deconvolution proper: the unique (regularised) least-squares preimage of every sample of `y`.
    ///
    /// Unlike ``leastSquares(_:regularization:budget:)`` it refuses a system whose solution is not unique:
    /// with `λ = 0` the operator must have full column rank (nullity 0), since otherwise the
    /// components of `x` in the null space (the aliased inputs of a strided operator) cannot be recovered.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when `λ = 0` and `rank < n`, naming the rank and
    ///   the nullity; as ``leastSquares(_:regularization:budget:)`` otherwise.
    public func deconvolve(_ y: Tensor<Scalar>, regularization lambda: Scalar = 0,
                           budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        let r = try leastSquares(y, regularization: lambda, budget: budget)
        guard lambda > 0 || r.nullity == 0 else {
            let (m, n) = matrixSize
            throw ConvAlgebraError.invalidArgument(
                "the \(m) × \(n) operator is singular (rank \(r.rank), nullity \(r.nullity)): deconvolution is not unique without regularisation; pass a Tikhonov weight λ > 0 or use the minimum-norm least squares")
        }
        return r.solution
    }

    /// The pseudo-inverse `A⁺` (`n × m`), or the Tikhonov-regularised inverse `(AᵀA + λI)⁻¹ Aᵀ` when `λ > 0`.
    ///
    /// Computed as the least-squares solution of `A X = I_m`; `A⁺ A` is the projector onto the row space
    /// (the identity exactly when the nullity is 0), while `Aᵀ A` is not a projector at all unless `A`'s
    /// singular values are 0 or 1.
    /// - Throws: as ``leastSquares(_:regularization:budget:)``.
    /// - Complexity: about `4·m'·n·min(m',n) + 2·m'·n·m` FLOPs; `O(m'·n + max(m', n)·m)` memory.
    public func pseudoInverse(regularization lambda: Scalar = 0, budget: MemoryBudget = .default) throws -> DenseMatrix<Scalar> {
        let m = codomain.count
        var identity = try DenseMatrix<Scalar>(zeros: m, m, budget: budget)
        for i in 0..<m { identity[i, i] = 1 }
        let a = try dense(budget: budget)
        return try a.leastSquares(identity, regularization: lambda, budget: budget).solution
    }
}
