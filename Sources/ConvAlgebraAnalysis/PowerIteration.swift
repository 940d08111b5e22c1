import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The spectral norm of a large operator without materialising it: power iteration on `AᵀA`.
///
/// ```
/// v₀ random, ‖v₀‖ = 1
/// u_k = A v_k,   σ_k = ‖u_k‖          (a lower bound on σ₁ that increases with k)
/// w_k = Aᵀ u_k,  v_{k+1} = w_k / ‖w_k‖
/// stop when |σ_k − σ_{k−1}| ≤ tolerance · σ_k, or after maxIterations
/// ```
/// Each step is one application of the direct form and one of the transpose's direct form
/// (``LinearOperator/applyUnchecked(_:_:batch:)`` of `A` and of `Aᵀ`), so the memory is three vectors.
/// The rate is `(σ₂/σ₁)²` per step: slow when the top singular values cluster (as they do for
/// convolutions, whose spectrum is a smooth frequency response), which is why the estimate reports
/// whether it converged, the last relative change and the residual `‖AᵀA v − σ² v‖ / σ²`.
public struct PowerIteration: Sendable, Equatable {
    /// Plain power iteration, or its Krylov acceleration (`LanczosBidiagonalization`: the same products
    /// with `A` and `Aᵀ`, far fewer of them, at the price of storing the basis).
    public enum Algorithm: String, Sendable, CaseIterable { case power, lanczos }

    /// Which iteration runs.
    public var algorithm: Algorithm
    /// Stop when the relative change of the estimate falls to this.
    public var tolerance: Double
    /// Stop after this many steps even without convergence.
    public var maxIterations: Int
    /// The seed of the random start vector (the result is reproducible).
    public var seed: UInt64

    /// - Parameters:
    ///   - tolerance: relative change at which to stop; nil picks `1e-9`, floored at `64·ε` of the scalar.
    public init(tolerance: Double? = nil, maxIterations: Int = 5000, seed: UInt64 = 0x5EED_C0DE,
                algorithm: Algorithm = .power) {
        self.algorithm = algorithm
        self.tolerance = tolerance ?? 1e-9
        self.maxIterations = maxIterations
        self.seed = seed
    }

    /// Estimates `‖A‖₂ = σ₁` by power iteration on `AᵀA`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a non-positive tolerance or iteration cap;
    ///   a memory-budget error when the three work vectors do not fit.
    /// - Complexity: per step, one direct application of `A` and one of `Aᵀ` plus `O(m + n)`;
    ///   memory `2n + m` scalars.
    public func spectralNorm<Op: LinearOperator>(of op: Op, budget: MemoryBudget = .default) throws -> SpectralNormEstimate {
        guard tolerance > 0, tolerance.isFinite else {
            throw ConvAlgebraError.invalidArgument("the power-iteration tolerance must be positive, got \(tolerance)")
        }
        guard maxIterations >= 1 else {
            throw ConvAlgebraError.invalidArgument("the power iteration needs at least one step, got \(maxIterations)")
        }
        if algorithm == .lanczos { return try LanczosBidiagonalization.spectralNorm(of: op, settings: self, budget: budget) }
        let (m, n) = op.matrixSize
        let vectors = try Checked.add(try Checked.multiply(n, 2, "the power-iteration vectors"), m, "the power-iteration vectors")
        try budget.check("the power-iteration vectors of a \(m) × \(n) operator", count: vectors,
                         elementBytes: MemoryLayout<Op.Scalar>.stride)
        // A tolerance below the scalar's resolution can never be met.
        let tol = Swift.max(tolerance, 64 * Double(Op.Scalar.ulpOfOne))
        guard m > 0, n > 0 else {
            return SpectralNormEstimate(value: 0, iterations: 0, converged: true, relativeChange: 0, residual: 0,
                                        tolerance: tol, maxIterations: maxIterations)
        }
        var rng = SplitMix64(seed: seed)
        var v = (0..<n).map { _ in Op.Scalar(rng.nextSigned()) }
        var u = [Op.Scalar](repeating: 0, count: m)
        var w = [Op.Scalar](repeating: 0, count: n)
        Self.normalise(&v)
        let transpose = op.transposed
        var estimate = 0.0, change = Double.infinity, residual = Double.infinity
        var steps = 0, converged = false
        while steps < maxIterations {
            steps += 1
            v.withUnsafeBufferPointer { vp in u.withUnsafeMutableBufferPointer { up in
                op.applyUnchecked(vp.baseAddress!, up.baseAddress!, batch: 1) } }
            u.withUnsafeBufferPointer { up in w.withUnsafeMutableBufferPointer { wp in
                transpose.applyUnchecked(up.baseAddress!, wp.baseAddress!, batch: 1) } }
            let sigma = Self.norm(u)
            // ‖AᵀA v − σ² v‖ with ‖v‖ = 1: how far v is from a right singular vector.
            let s2 = sigma * sigma
            var r2 = 0.0
            for j in 0..<n { let d = Double(w[j]) - s2 * Double(v[j]); r2 += d * d }
            residual = s2 > 0 ? r2.squareRoot() / s2 : 0
            change = sigma > 0 ? abs(sigma - estimate) / sigma : 0
            estimate = sigma
            if sigma == 0 { converged = true; break }          // A v = 0 for a random v: A = 0 (almost surely)
            if change <= tol { converged = true; break }
            v = w
            Self.normalise(&v)
        }
        return SpectralNormEstimate(value: estimate, iterations: steps, converged: converged, relativeChange: change,
                                    residual: residual, tolerance: tol, maxIterations: maxIterations)
    }

    package static func norm<S: BLASScalar>(_ x: [S]) -> Double {
        // Accumulate in Double so a Float operator's estimate is not limited by the sum's rounding.
        var s = 0.0
        for e in x { s += Double(e) * Double(e) }
        return s.squareRoot()
    }

    package static func normalise<S: BLASScalar>(_ x: inout [S]) {
        let r = norm(x)
        guard r > 0 else { return }
        for j in x.indices { x[j] = S(Double(x[j]) / r) }
    }
}

/// The result of a ``PowerIteration``: the estimate of `σ₁` and how far the iteration got.
public struct SpectralNormEstimate: Sendable, Equatable {
    /// The estimate of `σ₁ = ‖A‖₂` (a lower bound, up to rounding).
    public let value: Double
    /// The steps taken.
    public let iterations: Int
    /// Whether the relative change reached the tolerance before the cap.
    public let converged: Bool
    /// `|σ_k − σ_{k−1}| / σ_k` at the last step.
    public let relativeChange: Double
    /// `‖AᵀA v − σ² v‖ / σ²` at the last step (power iteration; NaN for Lanczos, which does not compute it).
    public let residual: Double
    /// The tolerance used (after flooring at the scalar's resolution) and the cap.
    public let tolerance: Double, maxIterations: Int
    /// Which iteration produced the estimate.
    public var algorithm: PowerIteration.Algorithm = .power
}
