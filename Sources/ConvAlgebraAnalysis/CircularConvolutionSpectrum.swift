import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// All singular values of a circular, stride-1 multi-channel convolution without its matrix: the
/// method of Sedghi, Gupta & Long, "The Singular Values of Convolutional Layers" (ICLR 2019).
///
/// A circular convolution is block-circulant, so the N-D DFT block-diagonalises it: with
/// `mₜ = (o + t·e) mod n` the input offset of tap `t` (per dimension), a plane wave `x[ci, j] = v[ci]·ω^{f·j}`
/// (`ω = e^{2πi/n}`) maps to `y[co, i] = ω^{f·i} · (P(f) v)[co]` where
/// ```
/// P(f)[co, ci] = Σ_t W[co, ci, t] · exp(2πi Σ_d f_d · m_{t,d} / n_d)      (C_out/G × C_in/G per group)
/// σ(A) = ⋃_{f, group} σ(P(f))                                             (∏n · min(C_out, C_in) values)
/// ```
/// The transpose has blocks `P(f)ᴴ`, hence the same values.
///
/// Design choices, and why:
/// - The DFT of the kernel is evaluated directly (`K` terms per frequency and channel pair, with exact
///   integer phase reduction) instead of an FFT of the zero-padded kernel: with `K ≪ log n · n` taps per
///   plane it costs about what an FFT would, needs no FFTW dependency, and handles dilation and any offset
///   (padding) exactly.
/// - The complex `C_out × C_in` matrix `P = A + iB` goes through the real `?gesdd` already wrapped, via its
///   real embedding `[[A, −B], [B, A]]`, whose singular values are those of `P`, each twice. That doubles
///   the matrix side (about 2× the FLOPs of `?zgesdd`) but keeps the BLAS facade real.
/// - `P(−f) = conj P(f)` for a real kernel, so only half of the frequencies are factorised.
///
/// Zero padding makes the operator Toeplitz-block, not circulant: the same formula then gives the
/// singular values of the circular operator with the same taps, an *approximation* whose gap to the
/// truth is measured by ``OperatorAnalysis`` when the dense SVD fits.
public enum CircularConvolutionSpectrum {
    /// Whether the FFT method gives a geometry's singular values.
    public enum Applicability: Sendable, Equatable {
        /// Circular boundary, stride 1, output the size of the input: the values are exact.
        case exact
        /// Zero boundary, stride 1, output the size of the input: the values are those of the circular
        /// operator with the same taps.
        case approximation
        /// The method does not apply; the reason names the geometry's parameters.
        case notApplicable(String)
    }

    /// How the FFT method applies to `geometry`.
    public static func applicability(_ g: ConvolutionGeometry) -> Applicability {
        guard g.stride.allSatisfy({ $0 == 1 }) else {
            return .notApplicable("the FFT method needs stride 1, got stride \(g.stride)")
        }
        guard g.inputSize == g.outputSize else {
            return .notApplicable("the FFT method needs an output the size of the input, got \(g.inputSize) → \(g.outputSize)")
        }
        return g.boundary == .circular ? .exact : .approximation
    }

    /// All singular values (descending) of the convolution over `geometry` with `taps`, by the FFT method.
    ///
    /// For a zero-padded geometry (``Applicability/approximation``) these are the circular operator's values.
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` when the method does not apply (stride > 1, output size
    ///   ≠ input size); ``ConvAlgebraError/shapeMismatch(_:)`` for taps that do not fill the weight; a
    ///   memory-budget error for the `∏n · min(C_out, C_in)` values.
    /// - Complexity: `∏n · (K·C_out·C_in/G + G · SVD of a 2·C_out/G × 2·C_in/G matrix) / 2` FLOPs, with
    ///   `K` the kernel's taps; memory `∏n · min(C_out, C_in)` values plus one embedding.
    public static func singularValues<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S],
                                                     budget: MemoryBudget = .default) throws -> [Double] {
        if case .notApplicable(let why) = applicability(g) { throw ConvAlgebraError.unsupported(why) }
        guard taps.count == g.weightCount else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight has \(taps.count) elements, but shape \(g.weightShape) needs \(g.weightCount)")
        }
        let (P, K, G) = (g.inputPlane, g.kernelPlane, g.groups)
        let (cog, cig) = (g.outChannelsPerGroup, g.inChannelsPerGroup)
        let k = Swift.min(cog, cig)
        let perFrequency = G * k
        let total = try Checked.multiply(P, perFrequency, "the singular values")
        let embedding = try Checked.multiply(4 * cog, cig, "the frequency block")
        try budget.check("the \(total) singular values of the FFT method", count: try Checked.add(total, embedding + 2 * K, "the FFT method"),
                         elementBytes: MemoryLayout<Double>.stride)
        guard total > 0 else { return [] }
        let r = g.rank, n = g.inputSize
        // Step 1: per dimension, the exactly reduced phase numerator (f·m_t mod n) of each (frequency, tap).
        let shift = tapShifts(g)
        let w = taps.map(Double.init)
        var values = [Double](repeating: 0, count: total)
        var cosines = [Double](repeating: 0, count: K), sines = [Double](repeating: 0, count: K)
        var block = [Double](repeating: 0, count: 4 * cog * cig)
        var f = [Int](repeating: 0, count: r)
        var rowStride = [Int](repeating: 1, count: r)
        for d in Swift.stride(from: r - 2, through: 0, by: -1) { rowStride[d] = rowStride[d + 1] * n[d + 1] }
        for p in 0..<P {
            defer { var d = r - 1; while d >= 0 { f[d] += 1; if f[d] < n[d] { break }; f[d] = 0; d -= 1 } }
            // Step 2: P(−f) = conj P(f) has the same values; reuse them when −f came first.
            var mirror = 0
            for d in 0..<r { mirror += ((n[d] - f[d]) % n[d]) * rowStride[d] }
            if mirror < p {
                for j in 0..<perFrequency { values[p * perFrequency + j] = values[mirror * perFrequency + j] }
                continue
            }
            // Step 3: the phase of every flat tap, exp(2πi Σ_d (f_d·m_{t,d} mod n_d)/n_d).
            tapPhases(f, shift: shift, geometry: g, cosines: &cosines, sines: &sines)
            // Step 4: per group, the real embedding [[A, −B], [B, A]] of P(f) = A + iB, then its SVD.
            for grp in 0..<G {
                let cols = 2 * cig
                for co in 0..<cog {
                    for ci in 0..<cig {
                        let base = ((grp * cog + co) * cig + ci) * K
                        var re = 0.0, im = 0.0
                        for tau in 0..<K { re += w[base + tau] * cosines[tau]; im += w[base + tau] * sines[tau] }
                        block[co * cols + ci] = re
                        block[co * cols + cig + ci] = -im
                        block[(cog + co) * cols + ci] = im
                        block[(cog + co) * cols + cig + ci] = re
                    }
                }
                let embedded = try DenseMatrix(rows: 2 * cog, columns: cols, entries: block)
                let s = try embedded.singularValues(budget: .unlimited)
                // Each value of P appears twice, adjacent in the descending list.
                for j in 0..<k { values[p * perFrequency + grp * k + j] = s[2 * j] }
            }
        }
        values.sort(by: >)
        return values
    }
}

extension CircularConvolutionSpectrum {
    /// Per spatial dimension, the input offset `mₜ = (o + t·e) mod n` of each tap.
    static func tapShifts(_ g: ConvolutionGeometry) -> [[Int]] {
        (0..<g.rank).map { d in
            (0..<g.kernelSize[d]).map { t in
                let m = (g.offset[d] + t * g.tapStep[d]) % g.inputSize[d]
                return m < 0 ? m + g.inputSize[d] : m
            }
        }
    }

    /// The phase `exp(2πi Σ_d (f_d·m_{t,d} mod n_d)/n_d)` of every flat tap at frequency `f` (exact integer reduction).
    static func tapPhases(_ f: [Int], shift: [[Int]], geometry g: ConvolutionGeometry, cosines: inout [Double], sines: inout [Double]) {
        let r = g.rank, n = g.inputSize
        var t = [Int](repeating: 0, count: r)
        for tau in 0..<g.kernelPlane {
            var turns = 0.0
            for d in 0..<r { turns += Double((f[d] * shift[d][t[d]]) % n[d]) / Double(n[d]) }
            let angle = 2 * Double.pi * turns
            cosines[tau] = cos(angle); sines[tau] = sin(angle)
            var d = r - 1
            while d >= 0 { t[d] += 1; if t[d] < g.kernelSize[d] { break }; t[d] = 0; d -= 1 }
        }
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
