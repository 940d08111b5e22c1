import ConvAlgebraCore
import ConvAlgebraBackends

/// Multi-channel convolution as one GEMM per (chunk of samples, group): im2col, then
/// ``KernelScalar/convolutionGEMM`` — and the entry point that routes FP32 work to the indirect and implicit
/// kernels first (``route(_:transposed:float:)``).
///
/// Forward: the column matrix `Col[(ci, τ), (b, p)] = x[b, g·C_in/G + ci, c(p, τ)]` (zero at padding) turns
/// the convolution into
/// ```
/// Y_g (C_out/G × nb·M) = W_g (C_out/G × (C_in/G)·K) · Col ((C_in/G)·K × nb·M)
/// ```
/// Transpose (the same product read backwards, GEMM then col2im, a scatter-add over the same terms):
/// ```
/// Col = W_gᵀ · Y_g,   x̃[b, ci, c(p, τ)] += Col[(ci, τ), (b, p)]
/// ```
/// Strided geometries list kept outputs only, so the transpose never multiplies an inserted zero.
/// A pointwise geometry (1×…×1 kernel, stride 1, no offset) skips im2col: `Col` is `x` itself.
/// Small planes are batched (`nb` samples per GEMM) so the GEMM stays wide.
/// - Complexity: `2 · batch · C_out · M · (C_in/G) · K` FLOPs in GEMM, plus `batch · (C_in/G)·K·M·G` copies;
///   scratch of at most ``maxScratch`` scalars, allocated once per call.
package enum Im2colGEMMKernels {
    /// The most scalars the column buffer may hold (64 MiB of `Float`).
    package static let maxScratch = 1 << 24

    /// Samples per GEMM: enough to make the GEMM at least ~1024 columns wide, within ``maxScratch``.
    package static func chunk(_ g: ConvolutionGeometry, batch: Int) -> Int {
        let rowsOfCol = g.inChannelsPerGroup * g.kernelPlane
        let wanted = max(1, 1024 / max(g.outputPlane, 1))
        let fits = max(1, maxScratch / max(rowsOfCol * g.outputPlane, 1))
        return max(1, min(batch, wanted, fits))
    }

    /// Whether the column buffer of one sample fits ``maxScratch``.
    package static func fits(_ g: ConvolutionGeometry) -> Bool {
        let (c, o) = (g.inChannelsPerGroup * g.kernelPlane).multipliedReportingOverflow(by: g.outputPlane)
        return !o && c <= maxScratch
    }

    /// The geometry reads `x` itself: every kernel extent 1, stride 1, offset 0, output = input.
    package static func isPointwise(_ g: ConvolutionGeometry) -> Bool {
        g.kernelPlane == 1 && g.stride.allSatisfy { $0 == 1 } && g.offset.allSatisfy { $0 == 0 } && g.inputSize == g.outputSize
    }

    /// The window is the whole input, read in order: every kernel extent equals the input's, one output,
    /// offset 0, tap step +1 (correlation, no dilation). Then the column matrix of a sample *is* its input,
    /// and the batch is one GEMM `Y (batch × C_out) = X (batch × C_in·N) · Wᵀ` per group: a fully connected layer.
    package static func isFullyConnected(_ g: ConvolutionGeometry) -> Bool {
        g.outputPlane == 1 && g.kernelSize == g.inputSize && g.offset.allSatisfy { $0 == 0 }
            && g.tapStep.allSatisfy { $0 == 1 }
    }

    /// ``isFullyConnected(_:)`` geometries, forward: one GEMM per group over the whole batch.
    package static func fullyConnectedForward<T: KernelScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>,
                                                       _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int) {
        let (N, cig, cog, cin, cout) = (g.inputPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
        let rows = cig * N
        for grp in 0..<g.groups {
            T.gemm(transposeA: false, transposeB: true, m: batch, n: cog, k: rows, alpha: 1,
                   a: x + grp * cig * N, lda: cin * N, b: w + grp * cog * rows, ldb: rows,
                   beta: 0, c: y + grp * cog, ldc: cout)
        }
    }

    /// ``isFullyConnected(_:)`` geometries, transpose: `X̃ (batch × C_in·N) = Y (batch × C_out) · W` per group.
    package static func fullyConnectedTranspose<T: KernelScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>,
                                                         _ y: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>, batch: Int) {
        let (N, cig, cog, cin, cout) = (g.inputPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
        let rows = cig * N
        for grp in 0..<g.groups {
            T.gemm(transposeA: false, transposeB: false, m: batch, n: rows, k: cog, alpha: 1,
                   a: y + grp * cog, lda: cout, b: w + grp * cog * rows, ldb: rows,
                   beta: 0, c: x + grp * cig * N, ldc: cin * N)
        }
    }

    /// The GEMM path a direct form takes; ``forward`` and ``transpose`` dispatch on it and reports name it,
    /// so the two can never disagree.
    package enum Route: Equatable {
        /// ``isFullyConnected(_:)``: one GEMM over the batch.
        case fullyConnected
        /// FP32 with AVX2 + FMA on large planes: ``IndirectConvolutionKernels`` (sub-pixel when transposed).
        case indirect
        /// FP32 with AVX2 + FMA otherwise: ``ImplicitGEMMKernels`` (a gather table for short rows).
        case implicit
        /// Everything else: the chunked im2col (or the input itself, pointwise) and ``KernelScalar/convolutionGEMM``.
        case chunked
    }

    package static func route(_ g: ConvolutionGeometry, transposed: Bool, float: Bool) -> Route {
        if isFullyConnected(g) { return .fullyConnected }
        guard float, MicroGEMM.isAccelerated, !isPointwise(g) else { return .chunked }
        if IndirectConvolutionKernels.applies(g, transposed: transposed) { return .indirect }
        return ImplicitGEMMKernels.fits(g) ? .implicit : .chunked
    }

    /// The route's name for reports.
    package static func path(_ g: ConvolutionGeometry, transposed: Bool, float: Bool) -> String {
        switch route(g, transposed: transposed, float: float) {
        case .fullyConnected: return "fullyConnectedGEMM"
        case .indirect: return transposed ? "indirect (sub-pixel)" : "indirect"
        case .implicit: return "implicitGEMM" + (g.outputSize.last ?? 0 < ImplicitGEMMKernels.gatherRowLimit ? " (gather)" : "")
        case .chunked: return isPointwise(g) ? "pointwiseGEMM" : "im2colGEMM"
        }
    }

    // MARK: - Forward

    package static func forward<T: KernelScalar>(_ g: ConvolutionGeometry, _ plan: RowPlan, _ w: UnsafePointer<T>,
                                         _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int) {
        switch route(g, transposed: false, float: T.self == Float.self) {
        case .fullyConnected: return fullyConnectedForward(g, w, x, y, batch: batch)
        case .indirect:
            return IndirectConvolutionKernels.forward(g, KernelDispatch.cast(w, to: Float.self),
                                                      KernelDispatch.cast(x, to: Float.self),
                                                      KernelDispatch.cast(y, to: Float.self), batch: batch)
        case .implicit:
            return ImplicitGEMMKernels.forward(g, plan, KernelDispatch.cast(w, to: Float.self),
                                               KernelDispatch.cast(x, to: Float.self),
                                               KernelDispatch.cast(y, to: Float.self), batch: batch)
        case .chunked: break
        }
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels, g.groups)
        let rowsOfCol = cig * K
        let nb = chunk(g, batch: batch), pointwise = isPointwise(g)
        let direct = nb == 1 && pointwise
        let colCount = direct ? 0 : rowsOfCol * nb * M
        let outCount = nb == 1 ? 0 : cog * nb * M
        let col = UnsafeMutablePointer<T>.allocate(capacity: max(colCount, 1))
        let out = UnsafeMutablePointer<T>.allocate(capacity: max(outCount, 1))
        defer { col.deallocate(); out.deallocate() }
        plan.forwardRows.withUnsafeBufferPointer { rows in
            var b0 = 0
            while b0 < batch {
                let nbHere = min(nb, batch - b0), width = nbHere * M
                for grp in 0..<G {
                    let wg = w + grp * cog * rowsOfCol
                    let bMatrix: UnsafePointer<T>, ldb: Int
                    if direct {
                        bMatrix = x + (b0 * cin + grp * cig) * N; ldb = N
                    } else {
                        // One job per core, each a strided share of the (channel, sample) planes: small planes
                        // would otherwise drown in dispatch overhead.
                        let items = cig * nbHere, workers = min(items, 2 * ProcessInfoLite.activeProcessorCount)
                        Parallel.forEach(jobs: workers, work: rowsOfCol * width, threshold: 1 << 15) { worker in
                            for job in stride(from: worker, to: items, by: workers) {
                                let ci = job / nbHere, l = job % nbHere
                                im2col(plan, rows, x + ((b0 + l) * cin + grp * cig + ci) * N,
                                       col + ci * K * width + l * M, ld: width)
                            }
                        }
                        bMatrix = UnsafePointer(col); ldb = width
                    }
                    let c = nbHere == 1 ? y + (b0 * cout + grp * cog) * M : out
                    T.convolutionGEMM(transposeA: false, m: cog, n: width, k: rowsOfCol,
                                      a: wg, lda: rowsOfCol, b: bMatrix, ldb: ldb, c: c, ldc: width)
                    if nbHere > 1 {
                        for co in 0..<cog {
                            for l in 0..<nbHere {
                                let dst = y + ((b0 + l) * cout + grp * cog + co) * M, src = out + co * width + l * M
                                for p in 0..<M { dst[p] = src[p] }
                            }
                        }
                    }
                }
                b0 += nbHere
            }
        }
    }

    /// One input channel's `K` rows of the column matrix: `col[τ·ld + p] = x[c(p, τ)]`, zero at padding.
    @inline(__always)
    package static func im2col<T: KernelScalar>(_ p: RowPlan, _ rows: UnsafeBufferPointer<Int32>, _ x: UnsafePointer<T>,
                                        _ col: UnsafeMutablePointer<T>, ld: Int) {
        let (n, m, k, s) = (p.n, p.m, p.k, p.s)
        for T_ in 0..<p.outerTaps {
            for t in 0..<k {
                let row = col + (T_ * k + t) * ld
                let lo = p.firstValid[t], hi = p.lastValid[t], base = p.o + t * p.e
                for P in 0..<p.outerOutputs {
                    let dst = row + P * m, R = Int(rows[P * p.outerTaps + T_])
                    // Plain loops: rows of small planes are a few elements, where a memcpy call costs more.
                    if R < 0 || lo > hi { for i in 0..<m { dst[i] = 0 }; continue }
                    for i in 0..<lo { dst[i] = 0 }
                    let src = x + R * n + base
                    if s == 1 {
                        for i in lo...hi { dst[i] = src[i] }
                    } else {
                        for i in lo...hi { dst[i] = src[i * s] }
                    }
                    for i in (hi + 1)..<max(m, hi + 1) { dst[i] = 0 }
                }
            }
        }
    }

    // MARK: - Transpose

    package static func transpose<T: KernelScalar>(_ g: ConvolutionGeometry, _ plan: RowPlan, _ w: UnsafePointer<T>,
                                           _ yIn: UnsafePointer<T>, _ xOut: UnsafeMutablePointer<T>, batch: Int) {
        switch route(g, transposed: true, float: T.self == Float.self) {
        case .fullyConnected: return fullyConnectedTranspose(g, w, yIn, xOut, batch: batch)
        case .indirect:
            return IndirectConvolutionKernels.transpose(g, KernelDispatch.cast(w, to: Float.self),
                                                        KernelDispatch.cast(yIn, to: Float.self),
                                                        KernelDispatch.cast(xOut, to: Float.self), batch: batch)
        case .implicit:
            return ImplicitGEMMKernels.transpose(g, plan, KernelDispatch.cast(w, to: Float.self),
                                                 KernelDispatch.cast(yIn, to: Float.self),
                                                 KernelDispatch.cast(xOut, to: Float.self), batch: batch)
        case .chunked: break
        }
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels, g.groups)
        let rowsOfCol = cig * K
        let nb = chunk(g, batch: batch), pointwise = isPointwise(g)
        let direct = nb == 1 && pointwise
        let colCount = direct ? 0 : rowsOfCol * nb * M
        let inCount = nb == 1 ? 0 : cog * nb * M
        let col = UnsafeMutablePointer<T>.allocate(capacity: max(colCount, 1))
        let gathered = UnsafeMutablePointer<T>.allocate(capacity: max(inCount, 1))
        defer { col.deallocate(); gathered.deallocate() }
        plan.forwardRows.withUnsafeBufferPointer { rows in
            var b0 = 0
            while b0 < batch {
                let nbHere = min(nb, batch - b0), width = nbHere * M
                for grp in 0..<G {
                    let wg = w + grp * cog * rowsOfCol
                    let yg: UnsafePointer<T>
                    if nbHere == 1 {
                        yg = yIn + (b0 * cout + grp * cog) * M
                    } else {
                        for co in 0..<cog {
                            for l in 0..<nbHere {
                                let dst = gathered + co * width + l * M, src = yIn + ((b0 + l) * cout + grp * cog + co) * M
                                for p in 0..<M { dst[p] = src[p] }
                            }
                        }
                        yg = UnsafePointer(gathered)
                    }
                    if direct {
                        T.convolutionGEMM(transposeA: true, m: rowsOfCol, n: width, k: cog,
                                          a: wg, lda: rowsOfCol, b: yg, ldb: width, c: xOut + (b0 * cin + grp * cig) * N, ldc: N)
                        continue
                    }
                    T.convolutionGEMM(transposeA: true, m: rowsOfCol, n: width, k: cog,
                                      a: wg, lda: rowsOfCol, b: yg, ldb: width, c: col, ldc: width)
                    let items = cig * nbHere, workers = min(items, 2 * ProcessInfoLite.activeProcessorCount)
                    Parallel.forEach(jobs: workers, work: rowsOfCol * width, threshold: 1 << 15) { worker in
                        for job in stride(from: worker, to: items, by: workers) {
                            let ci = job / nbHere, l = job % nbHere
                            col2im(plan, rows, UnsafePointer(col + ci * K * width + l * M), ld: width,
                                   xOut + ((b0 + l) * cin + grp * cig + ci) * N, planeCount: N)
                        }
                    }
                }
                b0 += nbHere
            }
        }
    }

    /// The transpose of ``im2col(_:_:_:_:ld:)``: `x[c(p, τ)] += col[τ·ld + p]` over one input channel (zeroed first).
    @inline(__always)
    package static func col2im<T: KernelScalar>(_ p: RowPlan, _ rows: UnsafeBufferPointer<Int32>, _ col: UnsafePointer<T>,
                                        ld: Int, _ x: UnsafeMutablePointer<T>, planeCount: Int) {
        let (n, m, k, s) = (p.n, p.m, p.k, p.s)
        x.update(repeating: 0, count: planeCount)
        for T_ in 0..<p.outerTaps {
            for t in 0..<k {
                let row = col + (T_ * k + t) * ld
                let lo = p.firstValid[t], hi = p.lastValid[t], base = p.o + t * p.e
                if lo > hi { continue }
                for P in 0..<p.outerOutputs {
                    let R = Int(rows[P * p.outerTaps + T_])
                    if R < 0 { continue }
                    let src = row + P * m, dst = x + R * n + base
                    if s == 1 {
                        var i = lo
                        while i + 8 <= hi + 1 {
                            dst.store(dst.lanes(i) + src.lanes(i), at: i)
                            i += 8
                        }
                        while i <= hi { dst[i] += src[i]; i += 1 }
                    } else {
                        for i in lo...hi { dst[i * s] += src[i] }
                    }
                }
            }
        }
    }
}
