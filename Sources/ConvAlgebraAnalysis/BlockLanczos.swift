import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

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
/// completed with random rows or, when they fill the block, given a 1 % random part. Nor can it certify the gap: it
/// takes the next Ritz value as the next eigenvalue, which a 1-vector block breaks on a nearly degenerate top pair
/// (a zero-padded convolution's `±μ` waves: on ResNet-18's layer1.0.conv1 at 224 × 224 its upper bound fell 2e-9
/// below σ₁); use two or more vectors per block there.
///
/// The basis is capped at ``maxBasis`` vectors (and the budget); when full, the method restarts from its top
/// `maxBasis/2` Ritz vectors (thick restart: no products are recomputed), so the memory is `maxBasis · N` doubles
/// whatever the number of steps. Each block is orthogonalised by two block Gram–Schmidt passes (the first one
/// reuses the projected matrix's new row) and, inside the block, by the eigen-decomposition of its Gram matrix:
/// all GEMM, no vector-at-a-time passes.
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
    ///     those for the side the method does not run on are mapped through `A` or `Aᵀ`. More than `blockSize` of them
    ///     are folded into the block's last row (their sum); completed with random rows, or given a random part when
    ///     they fill the block.
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
            return CertifiedSingularValue(value: 0, upperBound: 0, residual: 0, steps: 0, products: 0, converged: true, tolerance: tol,
                                          operatorSeconds: 0)
        }
        // Run on the smaller side: B = A (domain n) or Aᵀ (domain m).
        if m < n {
            let mapped = try start.map { $0.count == n ? try Self.applied(a, $0) : $0 }
            return try run(a.transposed, a, start: mapped, tolerance: tol, budget: budget, progress: progress).result
        }
        let mapped = try start.map { $0.count == m && m != n ? try Self.applied(a.transposed, $0) : $0 }
        return try run(a, a.transposed, start: mapped, tolerance: tol, budget: budget, progress: progress).result
    }

    /// `B x` for one vector, in Double.
    static func applied<S: BLASScalar>(_ b: any LinearOperator<S>, _ x: [Double]) throws -> [Double] {
        let (rows, _) = b.matrixSize
        var y = [S](repeating: 0, count: rows)
        let xs = x.map { S($0) }
        xs.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in b.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: 1) } }
        return y.map(Double.init)
    }

    /// The block Lanczos iteration on `BᵀB`. With `handOff`, it stops as soon as the recurrence's bracket meets `tol`
    /// (or at `maxSteps`) without certifying, and returns its top Ritz vectors (up to five rows) with an uncertified
    /// estimate: the low-precision stage of ``largestSingularValue(of:fast:start:budget:progress:)``.
    func run<S: BLASScalar>(_ b: any LinearOperator<S>, _ bt: any LinearOperator<S>, start: [[Double]], tolerance tol: Double,
                            budget: MemoryBudget, progress: ((Int, Double, Double) -> Void)?,
                            handOff: Bool = false) throws -> (result: CertifiedSingularValue, ritzVectors: [Double]) {
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
        var block = Self.startBlock(start.filter { $0.count == bigN }, rows: k, length: bigN, rng: &rng)
        var basis = [Double](), t = [Double](), r = 0        // basis r × N row-major; t is r × r
        var steps = 0, products = 0
        var ritz: (lambda: [Double], y: [Double], r: Int) = ([], [], 0)
        var residuals: [Double] = []   // the recurrence's ρ of the top Ritz pairs
        var projected = false          // whether `block` was projected once against the basis already
        var applyNanoseconds: UInt64 = 0
        var xs = [S](), ys = [S](repeating: 0, count: k * bigM)
        while steps < maxSteps {
            // Orthonormalise the new block against the basis and itself (twice in all); drop what is dependent.
            let before = Self.norms(block, count: block.count / bigN, length: bigN).max() ?? 0
            var x = Self.orthonormalised(block, against: basis, rows: r, length: bigN,
                                         floor: 1e-10 * Swift.max(before, .leastNormalMagnitude), projected: projected)
            if x.isEmpty { break }          // an invariant subspace: the Ritz values are exact
            if x.count / bigN > cap - r { x = Array(x.prefix((cap - r) * bigN)) }
            let rows = x.count / bigN
            steps += 1
            // W = Bᵀ(B X): one batched apply each way.
            let applyStart = DispatchTime.now().uptimeNanoseconds
            let (w, _) = Self.normalEquations(b, bt, x, rows: rows, n: bigN, m: bigM, xs: &xs, ys: &ys, keepForward: false)
            applyNanoseconds += DispatchTime.now().uptimeNanoseconds - applyStart
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
            // The next block: W orthogonalised against the basis (the first pass of two reuses c).
            var next = w
            Self.subtractProjection(&next, c, basis, m: rows, r: r, length: bigN)
            // Ritz values; the recurrence's residuals (BᵀB Q Y − Q Y Λ = W⊥ Y_last) give the cluster bound.
            let (lambda, y) = try SymmetricEigen.decompose(t, n: r)
            // The bracket looks at the top clusters of up to four Ritz values (whatever the block size: a 1-vector
            // block then still sees the top of a clustered spectrum's gap structure), the next value giving the gap.
            let width = Swift.min(Swift.max(k + 1, 5), r)
            let gram = Self.residualGram(next, rows: rows, y: y, r: r, columns: width, length: bigN)
            let estimate = try Self.bracket(lambda: Array(lambda.prefix(width)), gram: gram, cluster: width - 1)
            progress?(steps, lambda[0].squareRoot(), estimate.relative)
            ritz = (lambda, y, r)
            residuals = (0..<width).map { Swift.max(0, gram[$0 * width + $0]).squareRoot() }
            if handOff && (estimate.relative <= tol || steps == maxSteps) {
                let theta = lambda[0].squareRoot()
                let result = CertifiedSingularValue(value: theta, upperBound: theta * (1 + estimate.relative), residual: residuals[0],
                                                    steps: steps, products: products, converged: estimate.relative <= tol,
                                                    tolerance: tol, operatorSeconds: Double(applyNanoseconds) / 1e9)
                return (result, Self.ritzVectors(y, r: r, count: width, basis: basis, length: bigN))
            }
            if !handOff && estimate.relative <= tol {
                let certified = try certify(b, bt, ritz, residuals: residuals, basis: basis, cluster: estimate.cluster, xs: &xs, ys: &ys,
                                            steps: steps, products: &products, applyNanoseconds: &applyNanoseconds, tolerance: tol)
                if certified.converged { return (certified, []) }
            }
            if r + k > cap {
                // Thick restart: the basis becomes the top Ritz vectors Z (T = Λ on them, exactly, since T = QᵀBᵀBQ
                // was formed explicitly); their residuals W⊥·Y_last lie in span(W⊥), the next block, so the
                // Lanczos relation BᵀB Q − Q T = W⊥ Eᵀ holds again after it. Half the basis is kept: a restart that
                // keeps only one block loses most of what the Krylov space had learnt about the cluster.
                let keep = Swift.max(1, Swift.min(r, Swift.max(k, cap / 2), cap - k))
                basis = Self.ritzVectors(y, r: r, count: keep, basis: basis, length: bigN)
                t = [Double](repeating: 0, count: keep * keep)
                for i in 0..<keep { t[i * keep + i] = lambda[i] }
                var identity = [Double](repeating: 0, count: keep * keep)
                for i in 0..<keep { identity[i * keep + i] = 1 }
                r = keep
                ritz = (Array(lambda.prefix(keep)), identity, keep)
            }
            block = next
            projected = true
        }
        guard ritz.r > 0 else {
            return (CertifiedSingularValue(value: 0, upperBound: .infinity, residual: .infinity, steps: steps, products: products,
                                           converged: false, tolerance: tol, operatorSeconds: Double(applyNanoseconds) / 1e9), [])
        }
        let count = Swift.min(ritz.r, 5)
        let vectors = handOff ? Self.ritzVectors(ritz.y, r: ritz.r, count: count, basis: Array(basis.prefix(ritz.r * bigN)), length: bigN) : []
        return (try certify(b, bt, ritz, residuals: residuals, basis: basis, cluster: Swift.min(k, ritz.r), xs: &xs, ys: &ys, steps: steps,
                            products: &products, applyNanoseconds: &applyNanoseconds, tolerance: tol), vectors)
    }

    /// Certifies from the operator itself: for the top `cluster` Ritz vectors `Z`, `θᵢ = ‖B zᵢ‖` and the residual
    /// matrix `R = BᵀB Z − Z diag(θᵢ²)`, one batched apply each way.
    private func certify<S: BLASScalar>(_ b: any LinearOperator<S>, _ bt: any LinearOperator<S>,
                                        _ ritz: (lambda: [Double], y: [Double], r: Int), residuals: [Double], basis: [Double], cluster: Int,
                                        xs: inout [S], ys: inout [S], steps: Int, products: inout Int,
                                        applyNanoseconds: inout UInt64, tolerance tol: Double) throws -> CertifiedSingularValue {
        let (bigM, bigN) = b.matrixSize
        let kk = Swift.max(1, Swift.min(cluster, ritz.r))
        let z = Self.ritzVectors(ritz.y, r: ritz.r, count: kk, basis: Array(basis.prefix(ritz.r * bigN)), length: bigN)
        let applyStart = DispatchTime.now().uptimeNanoseconds
        let (normal, forward) = Self.normalEquations(b, bt, z, rows: kk, n: bigN, m: bigM, xs: &xs, ys: &ys, keepForward: true)
        applyNanoseconds += DispatchTime.now().uptimeNanoseconds - applyStart
        products += kk
        // Rayleigh quotients and residuals of the unit vectors zᵢ/‖zᵢ‖.
        let zn = Self.norms(z, count: kk, length: bigN)
        var lambda = Self.norms(forward, count: kk, length: bigM).enumerated().map { $1 * $1 / ($0 < zn.count && zn[$0] > 0 ? zn[$0] * zn[$0] : 1) }
        var residual = normal
        for i in 0..<kk {
            let s = zn[i] > 0 ? 1 / zn[i] : 1
            for j in 0..<bigN { residual[i * bigN + j] = s * (residual[i * bigN + j] - lambda[i] * z[i * bigN + j]) }
        }
        var gram = [Double](repeating: 0, count: kk * kk)
        Self.gemmABt(residual, residual, &gram, m: kk, n: kk, k: bigN)
        // The eigenvalue below the cluster, from the recurrence (the operator's products for it are not formed).
        if ritz.r > kk { lambda.append(ritz.lambda[kk]) }
        let theta = lambda[0].squareRoot()
        let norm = try Self.largestEigenvalue(gram, n: kk).squareRoot()
        let next = kk < residuals.count ? residuals[kk] : .infinity
        let bound = try Self.bracket(lambda: lambda, gram: gram, cluster: kk, nextResidual: next)
        return CertifiedSingularValue(value: theta, upperBound: theta * (1 + bound.relative), residual: norm, steps: steps,
                                      products: products, converged: bound.relative <= tol, tolerance: tol,
                                      operatorSeconds: Double(applyNanoseconds) / 1e9)
    }

    /// The certified relative bracket `(σ_up − θ)/θ` from the top Ritz values `lambda` (θᵢ², descending) and the Gram
    /// matrix `RᵀR` of their residuals: the best over the clusters `1…cluster` of the quadratic bound
    /// `λ₁ ≤ θ₁² + min(‖R_k‖, ‖R_k‖²/δ_k)`, `δ_k = θ_k² − (θ_{k+1}² + ρ_{k+1})` (Weyl's `‖R₁‖` always applies).
    /// `lambda` may hold one value past `gram`'s; its residual is then `nextResidual` (the recurrence's estimate).
    /// The gap `δ_k` rests on the assumption every Krylov bound makes: that the eigenvalue within `ρ_{k+1}` of
    /// `θ_{k+1}²` is `λ_{k+1}` (no eigenvalue above the cluster was missed by the Krylov space).
    static func bracket(lambda: [Double], gram: [Double], cluster: Int, nextResidual: Double = .infinity) throws -> (relative: Double, cluster: Int) {
        let n = Int(Double(gram.count).squareRoot().rounded())
        let top = lambda[0]
        guard top > 0 else { return (gram.allSatisfy { $0 == 0 } ? 0 : .infinity, 1) }
        var best = top + Swift.max(0, gram[0]).squareRoot(), bestK = 1
        for kk in 1...Swift.max(1, Swift.min(cluster, n)) where kk < lambda.count {
            var sub = [Double](repeating: 0, count: kk * kk)
            for i in 0..<kk { for j in 0..<kk { sub[i * kk + j] = gram[i * n + j] } }
            let rk = try largestEigenvalue(sub, n: kk).squareRoot()
            let rhoNext = kk < n ? Swift.max(0, gram[kk * n + kk]).squareRoot() : nextResidual
            let gap = lambda[kk - 1] - (lambda[kk] + rhoNext)
            guard gap > 0 else { continue }
            let upper = top + Swift.min(rk, rk * rk / gap)
            if upper < best { best = upper; bestK = kk }
        }
        return (best.squareRoot() / top.squareRoot() - 1, bestK)
    }

    static func largestEigenvalue(_ m: [Double], n: Int) throws -> Double {
        Swift.max(0, try SymmetricEigen.decompose(m, n: n).values.first ?? 0)
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
    /// Wall seconds spent in the operator's batched applies (of `A` and `Aᵀ`); the rest of the run is the
    /// orthogonalisation and the projected eigenproblems.
    public let operatorSeconds: Double
    /// `(upperBound − value) / value`.
    public var relativeBound: Double { value > 0 ? (upperBound - value) / value : (upperBound == 0 ? 0 : .infinity) }
}
