import ConvAlgebraCore
import ConvAlgebraBackends

/// Direct kernels for convolutions with few channels per group (depthwise, single-channel, 1-D DSP):
/// SIMD over the outputs of a row, every tap of the stencil accumulated in registers.
///
/// Forward, per output row `P` of a plane (``RowPlan``), with the taps whose outer row is inside:
/// ```
/// y[P, i] = Σ_{(T, t)} w[T, t] · x[R(P, T), i·s + o + t·e]
/// ```
/// The interior `i` (every tap inside the row) runs 16 outputs at a time in two 8-lane registers; the
/// border outputs check each tap. Strides are computed only at kept outputs. The forward itself is in
/// `RowStencilKernels+Forward.swift`.
///
/// Transpose (polyphase, the reference text's `q * (↑s x)` without its inserted zeros): output
/// `c = ph + s·j` of phase `ph` gathers only the taps with `c − o − t·e ≡ 0 (mod s)`:
/// ```
/// x̃[C, ph + s·j] = Σ_{(T, t) : (ph − o − t·e) ≡ 0 mod s} w[T, t] · y[P(C, T), j + (ph − o − t·e)/s]
/// ```
/// - Complexity: `2 · outputs · taps` FLOPs per plane (kept outputs only), no allocation but a
///   stack scratch of `3·K` words per plane.
package enum RowStencilKernels {
    // MARK: - Row primitive

    /// `out[j·outStride] (+)= Σ_k w[k] · x[j·inStride + offset[k]]` for `j` in `0 ..< count`, every read inside.
    @inline(__always)
    package static func accumulateRow<T: KernelScalar>(
        _ out: UnsafeMutablePointer<T>, outStride: Int, count: Int, _ x: UnsafePointer<T>, inStride: Int,
        _ w: UnsafePointer<T>, _ offset: UnsafePointer<Int>, taps: Int, accumulate: Bool
    ) {
        var j = 0
        // 16 outputs per step: two independent accumulators hide the add latency.
        while j + 16 <= count {
            var a0 = SIMD8<T>(), a1 = SIMD8<T>()
            if accumulate {
                if outStride == 1 { a0 = out.lanes(j); a1 = out.lanes(j + 8) } else {
                    a0 = UnsafePointer(out).lanes(j * outStride, stride: outStride)
                    a1 = UnsafePointer(out).lanes((j + 8) * outStride, stride: outStride)
                }
            }
            if inStride == 1 {
                for k in 0..<taps {
                    let wk = SIMD8<T>(repeating: w[k]), p = x + (j + offset[k])
                    a0 += wk * p.lanes(0)
                    a1 += wk * p.lanes(8)
                }
            } else {
                for k in 0..<taps {
                    let wk = SIMD8<T>(repeating: w[k]), p = x + (j * inStride + offset[k])
                    a0 += wk * p.lanes(0, stride: inStride)
                    a1 += wk * p.lanes(8 * inStride, stride: inStride)
                }
            }
            out.store(a0, at: j * outStride, stride: outStride)
            out.store(a1, at: (j + 8) * outStride, stride: outStride)
            j += 16
        }
        while j < count {
            var a: T = accumulate ? out[j * outStride] : 0
            for k in 0..<taps { a += w[k] * x[j * inStride + offset[k]] }
            out[j * outStride] = a
            j += 1
        }
    }

    // MARK: - Forward

    // The forward (every row of an output row summed in registers) is in RowStencilKernels+Forward.swift.

    // MARK: - Transpose

    /// The polyphase transpose (strides above 1; stride 1 runs ``forward`` on the ``adjointGeometry(_:)``),
    /// with `table` = `plan.transposeRows(g)`, built once in the plan.
    package static func transpose<T: KernelScalar>(_ g: ConvolutionGeometry, _ plan: RowPlan, _ table: [Int32],
                                                   _ w: UnsafePointer<T>, _ yIn: UnsafePointer<T>,
                                                   _ xOut: UnsafeMutablePointer<T>, batch: Int) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
        table.withUnsafeBufferPointer { rows in
            Parallel.forEach(jobs: batch * cin, work: batch * cout * M * cig * K) { job in
                let b = job / cin, c = job % cin, grp = c / cig, ci = c % cig
                withScratch(T.self, K) { tw, off, last in
                    for co in (grp * cog)..<((grp + 1) * cog) {
                        transposePlane(plan, rows, w + (co * cig + ci) * K, yIn + (b * cout + co) * M,
                                       xOut + (b * cin + c) * N, accumulate: co > grp * cog, tw, off, last)
                    }
                }
            }
        }
    }

    /// The weights of the ``adjointGeometry(_:)``: each group's `(C_out/G × C_in/G)` block transposed,
    /// `W'[grp·cig + ci, co, t] = W[grp·cog + co, ci, t]`.
    package static func adjointWeights<S>(_ g: ConvolutionGeometry, _ w: [S]) -> [S] {
        let (cig, cog, K) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelPlane)
        var swapped = w
        for grp in 0..<g.groups {
            for co in 0..<cog {
                for ci in 0..<cig {
                    for t in 0..<K { swapped[((grp * cig + ci) * cog + co) * K + t] = w[((grp * cog + co) * cig + ci) * K + t] }
                }
            }
        }
        return swapped
    }

    /// For stride 1 in every dimension, the transpose as a forward geometry: `c = i + o + t·e` solved for the
    /// output, `i = c − o − t·e`, is a correlation over `y` with offset `−o` and tap step `−e`, the channels
    /// swapped (the reference text's "the transpose of convolution is correlation"). Nil for other strides
    /// (their transpose needs the polyphase gather) and where the geometry cannot be formed.
    package static func adjointGeometry(_ g: ConvolutionGeometry) -> ConvolutionGeometry? {
        guard g.boundary == .zero, g.stride.allSatisfy({ $0 == 1 }) else { return nil }
        return try? ConvolutionGeometry(
            inputSize: g.outputSize, outputSize: g.inputSize, kernelSize: g.kernelSize, stride: g.stride,
            offset: g.offset.map { -$0 }, tapStep: g.tapStep.map { -$0 }, boundary: .zero,
            inChannels: g.outChannels, outChannels: g.inChannels, groups: g.groups, hasChannelAxis: g.hasChannelAxis)
    }

    @inline(__always)
    package static func transposePlane<T: KernelScalar>(
        _ p: RowPlan, _ rows: UnsafeBufferPointer<Int32>, _ w: UnsafePointer<T>, _ y: UnsafePointer<T>,
        _ x: UnsafeMutablePointer<T>, accumulate: Bool,
        _ tw: UnsafeMutablePointer<T>, _ off: UnsafeMutablePointer<Int>, _ last: UnsafeMutablePointer<Int>
    ) {
        let (n, m, k, s) = (p.n, p.m, p.k, p.s)
        for C in 0..<p.outerInputs {
            for ph in 0..<min(s, n) {
                let count = (n - ph + s - 1) / s
                // The taps of this phase: (ph − o − t·e) divisible by s; they read y[j + d].
                var nt = 0, dMin = Int.max, dMax = Int.min
                for T in 0..<p.outerTaps {
                    let P = Int(rows[C * p.outerTaps + T])
                    if P < 0 { continue }
                    for t in 0..<k {
                        let u = ph - p.o - t * p.e
                        if u % s != 0 { continue }
                        let d = u / s
                        tw[nt] = w[T * k + t]; last[nt] = d; off[nt] = P * m + d; nt += 1
                        dMin = min(dMin, d); dMax = max(dMax, d)
                    }
                }
                let xr = x + C * n + ph
                if nt == 0 {
                    if !accumulate { for j in 0..<count { xr[j * s] = 0 } }
                    continue
                }
                let border = { (j: Int) in
                    var a: T = accumulate ? xr[j * s] : 0
                    for kk in 0..<nt {
                        let i = j + last[kk]
                        if i >= 0 && i < m { a += tw[kk] * y[off[kk] + j] }
                    }
                    xr[j * s] = a
                }
                let lo = max(0, -dMin), hi = min(count - 1, m - 1 - dMax)
                if lo > hi {
                    for j in 0..<count { border(j) }
                    continue
                }
                for j in 0..<lo { border(j) }
                accumulateRow(xr + lo * s, outStride: s, count: hi - lo + 1, y + lo, inStride: 1,
                              UnsafePointer(tw), UnsafePointer(off), taps: nt, accumulate: accumulate)
                for j in (hi + 1)..<max(count, hi + 1) { border(j) }
            }
        }
    }

    // MARK: - Scratch

    /// Stack scratch for one plane's tap list: weights, offsets, last-dimension offsets.
    @inline(__always)
    package static func withScratch<T: KernelScalar>(
        _: T.Type, _ K: Int,
        _ body: (UnsafeMutablePointer<T>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: max(K, 1)) { tw in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * max(K, 1)) { ints in
                body(tw.baseAddress!, ints.baseAddress!, ints.baseAddress! + max(K, 1))
            }
        }
    }
}
