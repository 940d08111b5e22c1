import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// All singular values of a circular multi-channel convolution, strided or not, without its matrix: the
/// method of Sedghi, Gupta & Long, "The Singular Values of Convolutional Layers" (ICLR 2019), extended to strides
/// by the polyphase decomposition.
///
/// A circular convolution is block-circulant, so the N-D DFT block-diagonalises it: with
/// `mₜ = (o + t·e) mod n` the input offset of tap `t` (per dimension), a plane wave `x[ci, j] = v[ci]·e^{2πi ν·j/n}`
/// maps to `y[co, i] = e^{2πi ν·i·s/n} · (P(ν) v)[co]` where
/// ```
/// P(ν)[co, ci] = Σ_t W[co, ci, t] · exp(2πi Σ_d ν_d · m_{t,d} / n_d)      (C_out/G × C_in/G per group)
/// ```
/// With stride `s` and `n = m·s` per dimension (`m` the output size), `e^{2πi ν·i·s/n} = e^{2πi μ·i/m}` for
/// `μ = ν mod m`: the `∏s` input frequencies `ν = μ + k∘m` (`0 ≤ k_d < s_d`) all land on output frequency `μ`, so
/// ```
/// M(μ) = (∏s)^{-1/2} · [P(μ + k∘m)]_k                                     (C_out/G × ∏s·C_in/G per group)
/// σ(A) = ⋃_{μ, group} σ(M(μ))                                             (∏m · min(C_out, ∏s·C_in) values)
/// ```
/// (the factor: `‖plane wave‖² = ∏n` on the input, `∏m` on the output). Stride 1 is the one-alias case `M = P`.
/// The transpose has blocks `M(μ)ᴴ`, hence the same values.
///
/// Design choices, and why:
/// - The DFT of the kernel is evaluated directly (`K` terms per frequency and channel pair, with exact
///   integer phase reduction) instead of an FFT of the zero-padded kernel: with `K ≪ log n · n` taps per
///   plane it costs about what an FFT would, needs no FFTW dependency, and handles dilation and any offset
///   (padding) exactly.
/// - The complex matrix `M = A + iB` goes through the real `?gesdd` already wrapped, via its
///   real embedding `[[A, −B], [B, A]]`, whose singular values are those of `M`, each twice. That doubles
///   the matrix side (about 2× the FLOPs of `?zgesdd`) but keeps the BLAS facade real.
/// - `M(−μ)` is `conj M(μ)` with its alias columns permuted for a real kernel, so only half of the output
///   frequencies are factorised.
///
/// Zero padding makes the operator Toeplitz-block, not circulant: the same formula then gives the
/// singular values of the circular operator with the same taps, an *approximation* whose gap to the
/// truth is measured by ``OperatorAnalysis`` when the dense SVD fits.
public enum CircularConvolutionSpectrum {
    /// Whether the FFT method gives a geometry's singular values.
    public enum Applicability: Sendable, Equatable {
        /// Circular boundary, input size = output size × stride: the values are exact.
        case exact
        /// Zero boundary, input size = output size × stride: the values are those of the circular
        /// operator with the same taps.
        case approximation
        /// The method does not apply; the reason names the geometry's parameters.
        case notApplicable(String)
    }

    /// How the FFT method applies to `geometry`: each dimension's input size must be its output size times its
    /// stride (`n = m·s`; stride 1: the output the size of the input).
    public static func applicability(_ g: ConvolutionGeometry) -> Applicability {
        guard (0..<g.rank).allSatisfy({ g.outputSize[$0] * g.stride[$0] == g.inputSize[$0] }), g.outputPlane > 0 else {
            return .notApplicable("the FFT method needs an input of the output's size times the stride, got size \(g.inputSize) → \(g.outputSize), stride \(g.stride)")
        }
        return g.boundary == .circular ? .exact : .approximation
    }

    /// All singular values (descending) of the convolution over `geometry` with `taps`, by the FFT method.
    ///
    /// For a zero-padded geometry (``Applicability/approximation``) these are the circular operator's values.
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` when the method does not apply (an input size that is not the
    ///   output size times the stride); ``ConvAlgebraError/shapeMismatch(_:)`` for taps that do not fill the weight;
    ///   a memory-budget error for the `∏m · min(C_out, ∏s·C_in)` values.
    /// - Complexity: `∏m · (∏s·K·C_out·C_in/G + G · SVD of a 2·C_out/G × 2·∏s·C_in/G matrix) / 2` FLOPs, with
    ///   `K` the kernel's taps and `m` the output size; memory the values plus one embedding.
    public static func singularValues<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S],
                                                     budget: MemoryBudget = .default) throws -> [Double] {
        if case .notApplicable(let why) = applicability(g) { throw ConvAlgebraError.unsupported(why) }
        guard taps.count == g.weightCount else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight has \(taps.count) elements, but shape \(g.weightShape) needs \(g.weightCount)")
        }
        var blocks = FrequencyBlocks(geometry: g, taps: taps)
        let (cog, cols, G) = (g.outChannelsPerGroup, blocks.columns, g.groups)
        let k = Swift.min(cog, cols)
        let perFrequency = G * k
        let total = try Checked.multiply(g.outputPlane, perFrequency, "the singular values")
        let embedding = try Checked.multiply(4 * cog, cols, "the frequency block")
        try budget.check("the \(total) singular values of the FFT method",
                         count: try Checked.add(total, embedding + 2 * blocks.phaseCount, "the FFT method"),
                         elementBytes: MemoryLayout<Double>.stride)
        guard total > 0 else { return [] }
        var values = [Double](repeating: 0, count: total)
        var block = [Double](repeating: 0, count: 4 * cog * cols)
        var re = [Double](repeating: 0, count: cog * cols), im = re
        for p in 0..<g.outputPlane {
            // M(−μ) has the values of M(μ); reuse them when −μ came first.
            let mirror = blocks.mirror(p)
            if mirror < p {
                for j in 0..<perFrequency { values[p * perFrequency + j] = values[mirror * perFrequency + j] }
                continue
            }
            blocks.setFrequency(p)
            // Per group, the real embedding [[A, −B], [B, A]] of M(μ) = A + iB, then its SVD.
            for grp in 0..<G {
                blocks.block(group: grp, re: &re, im: &im)
                let width = 2 * cols
                for co in 0..<cog {
                    for c in 0..<cols {
                        let (a, bb) = (re[co * cols + c], im[co * cols + c])
                        block[co * width + c] = a
                        block[co * width + cols + c] = -bb
                        block[(cog + co) * width + c] = bb
                        block[(cog + co) * width + cols + c] = a
                    }
                }
                let embedded = try DenseMatrix(rows: 2 * cog, columns: width, entries: block)
                let s = try embedded.singularValues(budget: .unlimited)
                // Each value of M appears twice, adjacent in the descending list.
                for j in 0..<k { values[p * perFrequency + grp * k + j] = s[2 * j] }
            }
        }
        values.sort(by: >)
        return values
    }
}

extension Convolution {
    /// All singular values by the FFT method; see ``CircularConvolutionSpectrum``.
    /// - Throws: as ``CircularConvolutionSpectrum/singularValues(geometry:taps:budget:)``.
    public func fftSingularValues(budget: MemoryBudget = .default) throws -> [Double] {
        try CircularConvolutionSpectrum.singularValues(geometry: geometry, taps: taps, budget: budget)
    }
}

extension TransposedConvolution {
    /// All singular values by the FFT method (those of the forward convolution); see ``CircularConvolutionSpectrum``.
    /// - Throws: as ``CircularConvolutionSpectrum/singularValues(geometry:taps:budget:)``.
    public func fftSingularValues(budget: MemoryBudget = .default) throws -> [Double] {
        try CircularConvolutionSpectrum.singularValues(geometry: geometry, taps: taps, budget: budget)
    }
}
