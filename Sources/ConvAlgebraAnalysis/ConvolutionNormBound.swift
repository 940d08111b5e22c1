import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// A rigorous upper bound of a convolution's spectral norm `‖A‖₂` from its symbol, without its matrix and without
/// an iteration: the target just above `σ₁` that shift-and-invert needs (`convalgebra-mpi analyze`). Zero or
/// circular padding, any stride, dilation, groups and channel counts; the transpose has the same bound.
///
/// Per group, with `m_t = t·e` the input offset of tap `t` and `s` the stride, the output-side Gram `A Aᵀ` of the
/// zero-padded operator is a principal block of the Toeplitz operator on all of ℤ^d with the `C_out/G × C_out/G`
/// (polyphase) symbol
/// ```
/// F(ω) = Σ_j R_j e^{i j·ω},   R_j = Σ_{ci} Σ_{t, t′ : m_t′ − m_t = s·j} W[·, ci, t] W[·, ci, t′]ᵀ
/// ‖A‖₂² = ‖A Aᵀ‖₂ ≤ sup_ω λ_max F(ω)
/// ```
/// (restricting rows and zero-padding the input only shrink the Gram). A circular conv is the stride-1 circulant
/// `C` (the same `F` with `s = 1`, sampled on the DFT grid) with its rows `i·s mod n` kept: `‖A‖₂ ≤ √μ ‖C‖₂` with
/// `μ` the most outputs that land on one row of `C` (1 when they are distinct).
///
/// The supremum is bounded by branch and bound on the torus: if `ω*` attains it and `v` is a top eigenvector of
/// `F(ω*)`, `g(ω) = vᴴF(ω)v` is smooth, below `λ_max F`, and maximal (gradient 0) at `ω*`, so for every `ω`
/// ```
/// λ_max F(ω*) ≤ λ_max F(ω) + ½ M ‖ω − ω*‖²,   M = Σ_j ‖j‖² ‖R_j‖_F
/// ```
/// A cell of side `h` around centre `c` contains `ω*` only if `λ_max F(c) + ½ M d (h/2)² ≥ max λ seen`; cells that
/// cannot are dropped, the others halved, until the bound is within 1e-10 of the largest value seen or the
/// evaluation budget is spent. Rounding is covered by an explicit margin. The result is an upper bound in every
/// case; its tightness depends on the budget (a large channel count evaluates fewer points).
public enum ConvolutionNormBound {
    /// The bound and what the search saw.
    public struct Result: Sendable, Equatable {
        /// `≥ ‖A‖₂`.
        public var upper: Double
        /// `√(μ · max λ_max F)` over the points evaluated: the bound's distance to it is the search's slack.
        public var sampled: Double
        /// The symbol evaluations made.
        public var evaluations: Int
    }

    /// The bound for the convolution over `g` with `taps` (`W[co, ci, k…]`).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for taps that do not fill the weight; a memory-budget
    ///   error for the lag matrices (`∏(2k−1) · G · (C_out/G)²` values); LAPACK errors.
    /// - Complexity: `∏(2k−1)·K·(C_out/G)²·C_in/G` FLOPs for the lag matrices, then at most about `2·10⁹` FLOPs of
    ///   symbol evaluations per group (each `∏(2k−1)·(C_out/G)²` plus an SVD of a `2C_out/G` square).
    public static func bound<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S],
                                            budget: MemoryBudget = .default) throws -> Result {
        guard taps.count == g.weightCount else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight has \(taps.count) elements, but shape \(g.weightShape) needs \(g.weightCount)")
        }
        guard g.outputPlane > 0, g.inputPlane > 0, g.kernelPlane > 0 else { return Result(upper: 0, sampled: 0, evaluations: 0) }
        let circular = g.boundary == .circular
        let s = circular ? [Int](repeating: 1, count: g.rank) : g.stride
        var wraps = 1.0
        if circular { for d in 0..<g.rank { wraps *= Double(rowMultiplicity(outputs: g.outputSize[d], stride: g.stride[d], n: g.inputSize[d])) } }
        let w = taps.map(Double.init)
        var upper = 0.0, sampled = 0.0, evaluations = 0
        for group in 0..<g.groups {
            let symbol = try GramSymbol(geometry: g, weight: w, group: group, stride: s, budget: budget)
            let found = try symbol.supremum()
            upper = Swift.max(upper, found.upper); sampled = Swift.max(sampled, found.sampled)
            evaluations += found.evaluations
        }
        return Result(upper: (wraps * upper).squareRoot() * (1 + 4 * Double.ulpOfOne), sampled: (wraps * sampled).squareRoot(),
                      evaluations: evaluations)
    }

    /// The most of `i·s mod n` (`0 ≤ i < outputs`) that coincide.
    static func rowMultiplicity(outputs: Int, stride: Int, n: Int) -> Int {
        guard outputs > 0, n > 0 else { return 1 }
        let (last, overflow) = (outputs - 1).multipliedReportingOverflow(by: stride)
        if !overflow && last < n { return 1 }
        var count = [Int: Int]()
        var best = 1, row = 0
        let step = stride % n
        for _ in 0..<outputs {
            let c = (count[row] ?? 0) + 1
            count[row] = c
            best = Swift.max(best, c)
            row = (row + step) % n
        }
        return best
    }
}

extension Convolution {
    /// ``ConvolutionNormBound``'s rigorous upper bound of ‖A‖₂.
    /// - Throws: as ``ConvolutionNormBound/bound(geometry:taps:budget:)``.
    public func spectralNormBound(budget: MemoryBudget = .default) throws -> ConvolutionNormBound.Result {
        try ConvolutionNormBound.bound(geometry: geometry, taps: taps, budget: budget)
    }
}

extension TransposedConvolution {
    /// The forward convolution's bound (‖Aᵀ‖₂ = ‖A‖₂); see ``ConvolutionNormBound``.
    /// - Throws: as ``ConvolutionNormBound/bound(geometry:taps:budget:)``.
    public func spectralNormBound(budget: MemoryBudget = .default) throws -> ConvolutionNormBound.Result {
        try ConvolutionNormBound.bound(geometry: geometry, taps: taps, budget: budget)
    }
}
