import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The largest singular value of a large operator, certified, by block Lanczos on `BᵀB` with the operator's
/// batched apply: every step sends a block of `b` vectors through one ``LinearOperator/applyUnchecked(_:_:batch:)``
/// of `B` and one of `Bᵀ` (the GEMM-backed batch is where the direct forms are fastest), and the basis is
/// orthogonalised with GEMM.
///
/// ```
/// B = A or Aᵀ, whichever has the smaller domain (σ(A) = σ(Aᵀ));  X₀ = orthonormal start block (b × N)
/// Wₖ = Bᵀ(B Xₖ),   T = Qᵀ BᵀB Q  (the new block's row: Wₖ Qᵀ),   Xₖ₊₁ = orth(Wₖ − Q Qᵀ Wₖ)  (twice)
/// T = Y Λ Yᵀ:  λ₁ = θ₁² the Ritz value, z = Q y₁ the Ritz vector,  ρ = ‖BᵀB z − θ₁² z‖
/// certified:  σ₁ ≥ ‖B z‖ = θ,   σ₁² ≤ θ² + min(ρ, ρ²/δ),   δ = θ² − (λ₂ + ρ₂)    (Weyl; Kato–Temple)
/// stop when (σ_up − θ)/θ ≤ tolerance
/// ```
/// The lower bound is a Rayleigh quotient, true for any unit `z`. The upper bound is Kato–Temple's
/// (Parlett, *The Symmetric Eigenvalue Problem*, §10.5 / §11.7) with the interval `(λ₂ + ρ₂, ∞)` holding only
/// `σ₁²`, or Weyl's `ρ` when that gap is not positive; `θ` and `ρ` are recomputed from the operator itself
/// at the end, not taken from the recurrence. What it cannot certify is that the Krylov space saw `σ₁`'s
/// singular vector at all: a start block with no component along it would converge to `σ₂`; a random block has one
/// with probability 1, and the start vectors given (e.g. the circular-padding spectrum's plane waves) are
/// completed with random ones.
///
/// The basis is capped at ``maxBasis`` vectors (and the budget); when full, the method restarts from the top `b`
/// Ritz vectors (thick restart), so the memory is `maxBasis · N` doubles whatever the number of steps.
/// All the arithmetic is in `Double`, whatever the operator's scalar.
public struct BlockLanczos: Sendable, Equatable {
    /// The certified relative accuracy on `σ₁` at which to stop (floored at `64·ε` of the scalar).
    public var tolerance: Double
    /// Vectors per block (per batched apply).
    public var blockSize: Int
    /// The most basis vectors kept before a restart.
    public var maxBasis: Int
    /// The most block steps in all.
    public var maxSteps: Int
    /// The seed of the random start vectors.
    public var seed: UInt64

    public init(tolerance: Double = 1e-9, blockSize: Int = 16, maxBasis: Int = 320, maxSteps: Int = 500,
                seed: UInt64 = 0x5EED_C0DE) {
        self.tolerance = tolerance
        self.blockSize = blockSize
        self.maxBasis = maxBasis
        self.maxSteps = maxSteps
        self.seed = seed
    }

    /// `σ₁(A)` with its certified bracket.
    /// - Parameters:
    ///   - start: start vectors of length `A.domain.count` (the right side) or `A.codomain.count` (the left side);
    ///     those for the side the method does not run on are mapped through `A` or `Aᵀ`. Completed with random ones.
    ///   - progress: called after every block step with the step, the estimate and the current certified relative gap.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a non-positive tolerance or block size; a memory-budget
    ///   error when even one block and its products do not fit; LAPACK errors.
    /// - Complexity: per step `b` applications of `A` and of `Aᵀ` (batched), `O(r·b·N)` for the orthogonalisation
    ///   against the `r`-vector basis, `O(r³)` for the projected eigenproblem; memory `(maxBasis + 3b)·N + b·M` doubles.
    public func largestSingularValue<S: BLASScalar>(of a: any LinearOperator<S>, start: [[Double]] = [],
                                                    budget: MemoryBudget = .default,
                                                    progress: ((Int, Double, Double) -> Void)? = nil) throws -> CertifiedSingularValue {
        guard tolerance > 0, tolerance.isFinite, blockSize >= 1, maxBasis >= 2 * blockSize, maxSteps >= 1 else {
            throw ConvAlgebraError.invalidArgument(
                "block Lanczos needs a positive tolerance, a block size ≥ 1 and a basis of at least two blocks (got \(tolerance), \(blockSize), \(maxBasis))")
        }
        let tol = Swift.max(tolerance, 64 * Double(S.ulpOfOne))
        let (m, n) = a.matrixSize
        guard m > 0, n > 0 else {
            return CertifiedSingularValue(value: 0, upperBound: 0, residual: 0, steps: 0, products: 0, converged: true, tolerance: tol)
        }
        // Run on the smaller side: B = A (domain n) or Aᵀ (domain m).
        if m < n {
            let mapped = try start.map { $0.count == n ? try Self.applied(a, $0) : $0 }
            return try run(a.transposed, a, start: mapped, tolerance: tol, budget: budget, progress: progress)
        }
        let mapped = try start.map { $0.count == m && m != n ? try Self.applied(a.transposed, $0) : $0 }
        return try run(a, a.transposed, start: mapped, tolerance: tol, budget: budget, progress: progress)
    }

    /// `B x` for one vector, in Double.
    static func applied<S: BLASScalar>(_ b: any LinearOperator<S>, _ x: [Double]) throws -> [Double] {
        let (rows, _) = b.matrixSize
        var y = [S](repeating: 0, count: rows)
        let xs = x.map { S($0) }
        xs.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in b.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: 1) } }
        return y.map(Double.init)
    }

    private func run<S: BLASScalar>(_ b: any LinearOperator<S>, _ bt: any LinearOperator<S>, start: [[Double]], tolerance tol: Double,
                                    budget: MemoryBudget, progress: ((Int, Double, Double) -> Void)?) throws -> CertifiedSingularValue {
        let (bigM, bigN) = b.matrixSize
        let k = Swift.min(blockSize, bigN)
        // The basis (as many vectors as the budget allows, at most maxBasis, at least two blocks), the block, its
        // products and the operator-scalar copies.
        let perVector = try Checked.multiply(bigN, MemoryLayout<Double>.stride, "a Krylov vector")
        let fixed = try Checked.multiply(k, try Checked.add(try Checked.multiply(3, bigN, "the block"), 2 * bigM, "the block"), "the block")
        let fixedBytes = try Checked.multiply(fixed, MemoryLayout<Double>.stride, "the block")
        let room = (budget.bytes - Swift.min(budget.bytes, fixedBytes)) / Swift.max(1, perVector)
        let cap = Swift.min(maxBasis, bigN, room)
        guard cap >= Swift.min(2 * k, bigN) else {
            throw ConvAlgebraError.exceedsMemoryBudget(what: "two blocks of \(k) Krylov vectors of length \(bigN)",
                                                       bytes: fixedBytes, budget: budget.bytes)
        }
        var rng = SplitMix64(seed: seed)
        // The start block: the given vectors of length N, then random ones.
        var block = [Double]()
        for v in start where v.count == bigN && block.count < k * bigN { block += v }
        while block.count < k * bigN { block.append(rng.nextSigned()) }
        var basis = [Double](), t = [Double](), r = 0        // basis r × N row-major; t is r × r
        var steps = 0, products = 0
        var best = (theta: 0.0, lambda: 0.0, rho: Double.infinity, lambda2: 0.0, rho2: Double.infinity, z: [Double]())
        var xs = [S](), ys = [S](repeating: 0, count: k * bigM)
        while steps < maxSteps {
            // Orthonormalise the new block against the basis and itself; drop what is (numerically) dependent.
            let before = Self.norms(block, count: block.count / bigN, length: bigN).max() ?? 0
            var x = Self.orthonormalised(block, against: basis, rows: r, length: bigN, floor: 1e-10 * Swift.max(before, .leastNormalMagnitude))
            let bx = x.count / bigN
            if bx == 0 || r + bx > cap {
                // Invariant subspace (the Ritz values are exact) or a full basis.
                if bx == 0 || best.z.isEmpty { break }
                // Thick restart from the best Ritz vectors: the basis restarts from them.
                basis = []; t = []; r = 0
                block = best.z
                while block.count < k * bigN { block.append(rng.nextSigned()) }
                x = Self.orthonormalised(block, against: [], rows: 0, length: bigN, floor: 1e-10)
            }
            let rows = x.count / bigN
            steps += 1
            // W = Bᵀ(B X): one batched apply each way.
            let (w, _) = Self.normalEquations(b, bt, x, rows: rows, n: bigN, m: bigM, xs: &xs, ys: &ys, keepForward: false)
            products += rows
            // T grows by the new block: its row against the whole basis (including itself) is W·[Q; X]ᵀ.
            basis += x
            let newR = r + rows
            var c = [Double](repeating: 0, count: rows * newR)
            Self.gemmABt(w, basis, &c, m: rows, n: newR, k: bigN)
            var grown = [Double](repeating: 0, count: newR * newR)
            for i in 0..<r { for j in 0..<r { grown[i * newR + j] = t[i * r + j] } }
            for i in 0..<rows {
                for j in 0..<newR {
                    // Symmetrise the new block's diagonal part; the off-diagonal part is exact by symmetry of BᵀB.
                    let v = j >= r ? 0.5 * (c[i * newR + j] + c[(j - r) * newR + r + i]) : c[i * newR + j]
                    grown[(r + i) * newR + j] = v
                    grown[j * newR + r + i] = v
                }
            }
            t = grown; r = newR
            // The next block: W orthogonalised against the basis (the first pass reuses c).
            var next = w
            Self.subtractProjection(&next, c, basis, m: rows, r: r, length: bigN)
            // Ritz values and the recurrence's residual estimates ‖W⊥ y_last‖ for the top two.
            let (lambda, y) = try SymmetricEigen.decompose(t, n: r)
            let residual = Self.residualEstimates(next, rows: rows, y: y, r: r, columns: Swift.min(2, r), length: bigN)
            let theta = lambda[0].squareRoot()
            let lambda2 = r > 1 ? lambda[1] : 0
            let estimate = Self.bound(theta: theta, rho: residual[0], lambda2: lambda2, rho2: residual.count > 1 ? residual[1] : 0)
            progress?(steps, theta, estimate)
            // Keep the top Ritz vectors (for a restart and the certification).
            let keep = Swift.min(k, r)
            var z = [Double](repeating: 0, count: keep * bigN)
            var ycols = [Double](repeating: 0, count: keep * r)
            for j in 0..<keep { for i in 0..<r { ycols[j * r + i] = y[i * r + j] } }
            Self.gemmAB(ycols, basis, &z, m: keep, n: bigN, k: r)
            best = (theta, lambda[0], residual[0], lambda2, residual.count > 1 ? residual[1] : 0, z)
            if estimate <= tol {
                let certified = try certify(b, bt, best, xs: &xs, ys: &ys, steps: steps, products: &products, tolerance: tol)
                if certified.converged { return certified }
            }
            block = next
        }
        return try certify(b, bt, best, xs: &xs, ys: &ys, steps: steps, products: &products, tolerance: tol)
    }

    /// Certifies the top Ritz vector from the operator itself: `θ = ‖B z‖`, `ρ = ‖BᵀB z − θ² z‖`.
    private func certify<S: BLASScalar>(_ b: any LinearOperator<S>, _ bt: any LinearOperator<S>,
                                        _ best: (theta: Double, lambda: Double, rho: Double, lambda2: Double, rho2: Double, z: [Double]),
                                        xs: inout [S], ys: inout [S], steps: Int, products: inout Int,
                                        tolerance tol: Double) throws -> CertifiedSingularValue {
        let (bigM, bigN) = b.matrixSize
        let z = Array(best.z.prefix(bigN))
        guard z.count == bigN else {
            return CertifiedSingularValue(value: 0, upperBound: .infinity, residual: .infinity, steps: steps, products: products,
                                          converged: false, tolerance: tol)
        }
        let (normal, forward) = Self.normalEquations(b, bt, z, rows: 1, n: bigN, m: bigM, xs: &xs, ys: &ys, keepForward: true)
        products += 1
        let theta = forward.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let lambda = theta * theta
        var rho2 = 0.0
        for i in 0..<bigN { let d = normal[i] - lambda * z[i]; rho2 += d * d }
        let rho = rho2.squareRoot()
        let relative = Self.bound(theta: theta, rho: rho, lambda2: best.lambda2, rho2: best.rho2)
        return CertifiedSingularValue(value: theta, upperBound: theta * (1 + relative), residual: rho, steps: steps,
                                      products: products, converged: relative <= tol, tolerance: tol)
    }

    /// The certified relative gap `(σ_up − θ)/θ`: Kato–Temple when the gap `θ² − (λ₂ + ρ₂)` is positive, else Weyl.
    static func bound(theta: Double, rho: Double, lambda2: Double, rho2: Double) -> Double {
        let lambda = theta * theta
        guard lambda > 0 else { return rho == 0 ? 0 : .infinity }
        let gap = lambda - (lambda2 + rho2)
        let excess = gap > 0 ? Swift.min(rho, rho * rho / gap) : rho
        return (lambda + excess).squareRoot() / theta - 1
    }
}

/// `σ₁` of an operator with a certified bracket (``BlockLanczos``).
public struct CertifiedSingularValue: Sendable, Equatable {
    /// `θ = ‖A z‖` for the unit Ritz vector `z`: a lower bound on `σ₁` (up to rounding).
    public let value: Double
    /// The certified upper bound on `σ₁` (Kato–Temple or Weyl from ``residual``).
    public let upperBound: Double
    /// `‖AᵀA z − θ² z‖`, recomputed with the operator.
    public let residual: Double
    /// Block steps, and vectors sent through `A` and `Aᵀ` in all.
    public let steps: Int, products: Int
    /// Whether `(upperBound − value)/value ≤ tolerance`.
    public let converged: Bool
    public let tolerance: Double
    /// `(upperBound − value) / value`.
    public var relativeBound: Double { value > 0 ? (upperBound - value) / value : (upperBound == 0 ? 0 : .infinity) }
}
