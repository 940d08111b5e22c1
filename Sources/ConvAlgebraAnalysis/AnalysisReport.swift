import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// Readable text reports of an operator's analysis, and the demonstration that a transposed convolution
/// is a transpose, not an inverse.
public enum AnalysisReport {
    /// The report of one analysis: shapes, method, singular values, norms, conditioning, rank, null space,
    /// the reshaped-weight norm beside the true norm, and the aliasing reading.
    /// - Parameters:
    ///   - name: what to call the operator in the first line.
    ///   - maxValues: how many singular values to list at each end when there are many.
    public static func text(_ a: OperatorAnalysis, name: String, maxValues: Int = 8) -> String {
        var lines = ["\(name): \(a.domain) → \(a.codomain), a \(a.codomain.count) × \(a.domain.count) matrix"]
        lines.append("method: \(a.method.rawValue) (\(a.reason))")
        if let s = a.spectrum {
            let v = s.values
            let list: String
            if v.count <= 2 * maxValues {
                list = v.map(formatShort).joined(separator: " ")
            } else {
                list = v.prefix(maxValues).map(formatShort).joined(separator: " ") + " … "
                    + v.suffix(maxValues).map(formatShort).joined(separator: " ")
            }
            lines.append("singular values (\(v.count), descending): \(list)")
            lines.append("rank: \(s.rank) (tolerance σ₁·max(m,n)·ε = \(formatShort(s.rankTolerance))), nullity: \(s.nullity)")
            lines.append("condition number: " + (s.conditionNumber.map(formatShort) ?? "∞ (singular)"))
        }
        if let p = a.powerEstimate {
            lines.append((p.algorithm == .lanczos ? "Lanczos bidiagonalisation" : "power iteration") + " on AᵀA: \(p.iterations) steps, " + (p.converged ? "converged" : "NOT converged")
                         + " (relative change \(formatShort(p.relativeChange)), tolerance \(formatShort(p.tolerance)), "
                         + "cap \(p.maxIterations)" + (p.residual.isFinite ? ", residual \(formatShort(p.residual)))" : ")"))
        }
        lines.append("spectral norm ‖A‖₂: \(formatShort(a.spectralNorm))")
        if a.isApproximation {
            var line = "note: zero padding is not circular; these FFT-method values are those of the circular operator with the same taps (an approximation)"
            if let g = a.approximationGap { line += "; measured gap to ?gesdd: \(formatShort(g)) of σ₁" }
            lines.append(line)
        }
        if let w = a.reshapedWeightNorm {
            let ratio = w > 0 ? " (operator / weight = \(formatShort(a.spectralNorm / w)))" : ""
            lines.append("reshaped weight norm (what PyTorch's spectral_norm bounds): \(formatShort(w))\(ratio)")
        }
        if let r = a.aliasing { lines.append("aliasing: " + r.summary(nullity: a.nullity)) }
        return lines.joined(separator: "\n")
    }

    /// The demonstration report for a stride-2 transposed convolution in 1-D: its singular values, the
    /// checkerboard overlap of kernel 3 against kernel 4 and of resize-then-convolve, and `Aᵀ` against the
    /// least-squares inverse on a test signal.
    /// - Throws: only on an internal inconsistency (all sizes are fixed and small).
    public static func demo() throws -> String {
        var out: [String] = []
        let n = 16, s = 2
        let q: [Double] = [0.5, 1, 0.5]
        // q * (↑2 x), 'full' mode: 16 samples in, 33 out.
        let up = try TransposedConvolution(kernel: q, stride: s, inputLength: n, mode: .full)
        out.append("== A stride-2 transposed convolution q * (↑2 x), q = (0.5, 1, 0.5), \(n) → \(up.codomain.count) samples ==")
        out.append(text(try OperatorAnalysis(of: up, method: .gesdd), name: "transposed convolution"))

        out.append("")
        out.append("== Checkerboard overlap (all-ones kernel on an all-ones input, interior outputs by phase) ==")
        for K in [3, 4] {
            let g = try ConvolutionGeometry.dsp(kernelLength: K, inputLength: 2 * n, mode: .full, stride: s)
            out.append("transposed convolution, kernel \(K), stride \(s):")
            out.append(try OverlapPattern(transposedConvolution: g).summary)
        }
        out.append("resize (nearest ×2) then convolve, kernel 3:")
        out.append(try OverlapPattern(resizeThenConvolve: [n], factor: [s], kernelSize: [3]).summary)

        out.append("")
        out.append("== Aᵀ is a transpose, not an inverse ==")
        let x = try Tensor(shape: up.domain, scalars: (0..<n).map { i in
            let t = Double(i)
            return sin(2 * .pi * t / Double(n)) + 0.5 * ((t * 0.37).truncatingRemainder(dividingBy: 1) - 0.5)
        })
        let y = try up.apply(x)
        let viaTranspose = try up.applyTransposed(y)
        let viaLeastSquares = try up.deconvolve(y)
        out.append("x = test signal of \(n) samples, y = A x")
        out.append("‖Aᵀ y − x‖ / ‖x‖ = \(formatShort(relativeError(viaTranspose.scalars, x.scalars)))")
        out.append("‖A⁺ y − x‖ / ‖x‖ = \(formatShort(relativeError(viaLeastSquares.scalars, x.scalars))) (least squares, ?gelsd)")
        // The strided convolution ↓2(q * x) that this operator is the transpose of folds frequencies together:
        // its null space is lost, so deconvolving it needs a regularisation (and recovers only the row space).
        let down = try Convolution(kernel: q, inputLength: 2 * n, mode: .same, stride: s)
        let x2 = try Tensor(shape: down.domain, scalars: (0..<(2 * n)).map { sin(2 * .pi * Double($0) / Double(2 * n)) })
        let y2 = try down.apply(x2)
        out.append("")
        out.append("the strided convolution ↓2(q * x), \(2 * n) → \(down.codomain.count) samples:")
        do {
            _ = try down.deconvolve(y2)
        } catch let e as ConvAlgebraError {
            out.append("deconvolve without regularisation: error: \(e)")
        }
        let r = try down.leastSquares(y2, regularization: 1e-3)
        out.append("Tikhonov λ = 0.001: ‖x̂ − x‖ / ‖x‖ = \(formatShort(relativeError(r.solution.scalars, x2.scalars))) "
                   + "(the aliased null space cannot come back; ‖↓2(q * x̂) − y‖ / ‖y‖ = "
                   + "\(formatShort(relativeError(try down.apply(r.solution).scalars, y2.scalars))))")
        return out.joined(separator: "\n")
    }

    package static func relativeError<S: BLASScalar>(_ a: [S], _ b: [S]) -> Double {
        var num = 0.0, den = 0.0
        for (u, v) in zip(a, b) { num += (Double(u) - Double(v)) * (Double(u) - Double(v)); den += Double(v) * Double(v) }
        return den > 0 ? (num / den).squareRoot() : num.squareRoot()
    }
}
