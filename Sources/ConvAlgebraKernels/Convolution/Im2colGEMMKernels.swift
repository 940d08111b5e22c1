import ConvAlgebraCore
import ConvAlgebraBackends

/// Multi-channel convolution as one GEMM per (chunk of samples, group): im2col, then the GEMM (the weights
/// packed once in the plan on our micro-kernel, else ``KernelScalar/convolutionGEMM``). Which GEMM-family kernel
/// runs (this one, indirect, implicit, fully connected) is the plan's choice (``ConvolutionPlanBuilder``).
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
///   scratch of at most ``maxScratch`` scalars from the plan's pool.
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

    /// ``isFullyConnected(_:)`` geometries: one GEMM per group over the whole batch, with `X` (batch × C_in·N),
    /// `Y` (batch × C_out) and `W_g` (C_out/G × C_in/G·N):
    /// ```
    /// forward:  Y_g = X_g · W_gᵀ        transpose:  X̃_g = Y_g · W_g
    /// ```
    package static func fullyConnected<T: KernelScalar>(_ g: ConvolutionGeometry, _ direction: ConvolutionDirection,
                                                        _ w: UnsafePointer<T>, _ src: UnsafePointer<T>,
                                                        _ dst: UnsafeMutablePointer<T>, batch: Int) {
        let (N, cig, cog) = (g.inputPlane, g.inChannelsPerGroup, g.outChannelsPerGroup)
        let rows = cig * N, forward = direction == .forward
        // (leading dimension, group offset) of X and Y in their batch layouts.
        let xs = (ld: g.inChannels * N, group: cig * N), ys = (ld: g.outChannels, group: cog)
        let (from, to) = forward ? (xs, ys) : (ys, xs)
        for grp in 0..<g.groups {
            T.gemm(transposeA: false, transposeB: forward, m: batch, n: forward ? cog : rows, k: forward ? rows : cog,
                   alpha: 1, a: src + grp * from.group, lda: from.ld, b: w + grp * cog * rows, ldb: rows,
                   beta: 0, c: dst + grp * to.group, ldc: to.ld)
        }
    }

    /// Each group's `W_gᵀ` (forward: `C_in/G·N × C_out/G`) or `W_g` (transpose) packed as the panel GEMM's `Aᵀ`,
    /// once per plan.
    package static func fullyConnectedPanels(_ g: ConvolutionGeometry, _ w: [Float],
                                             direction: ConvolutionDirection) -> [PanelGEMM] {
        let (rows, cog) = (g.inChannelsPerGroup * g.inputPlane, g.outChannelsPerGroup)
        return (0..<g.groups).map { grp in
            let wg = w[(grp * cog * rows)..<((grp + 1) * cog * rows)]
            guard direction == .forward else {
                return wg.withUnsafeBufferPointer { PanelGEMM(transposed: $0.baseAddress!, depth: cog, outputs: rows) }
            }
            var wt = [Float](repeating: 0, count: cog * rows)
            for o in 0..<cog { for r in 0..<rows { wt[r * cog + o] = wg[wg.startIndex + o * rows + r] } }
            return wt.withUnsafeBufferPointer { PanelGEMM(transposed: $0.baseAddress!, depth: rows, outputs: cog) }
        }
    }

    /// ``fullyConnected(_:_:_:_:_:batch:)`` on the panel GEMM: group `g`'s slice of every sample times its panels.
    /// - Complexity: `2·batch·C_out·C_in·N/G` FLOPs, as the OpenBLAS call.
    package static func fullyConnected(_ g: ConvolutionGeometry, _ direction: ConvolutionDirection, _ panels: [PanelGEMM],
                                       _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, batch: Int) {
        let (N, cig, cog) = (g.inputPlane, g.inChannelsPerGroup, g.outChannelsPerGroup)
        let xs = (ld: g.inChannels * N, group: cig * N), ys = (ld: g.outChannels, group: cog)
        let (from, to) = direction == .forward ? (xs, ys) : (ys, xs)
        for (grp, gemm) in panels.enumerated() {
            gemm.apply(src + grp * from.group, ldx: from.ld, dst + grp * to.group, ldy: to.ld, batch: batch)
        }
    }

    /// What the chunked path precomputes: the row tables and, on the micro-kernel, each group's weights packed
    /// as the GEMM's `op(A)` (`W_g` forward, `W_gᵀ` transpose).
    package struct Prepared: Sendable {
        package let rows: RowPlan
        package let packed: [MicroGEMM.PackedA]
        /// Planes, channels and the column matrix's rows, read once from the geometry.
        let N: Int, M: Int, K: Int, cig: Int, cog: Int, cin: Int, cout: Int, rowsOfCol: Int, pointwise: Bool

        package init<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], direction: ConvolutionDirection, microKernel: Bool) {
            rows = RowPlan(g)
            (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
            (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
            let (cog, rowsOfCol) = (cog, cig * K)
            self.rowsOfCol = rowsOfCol
            pointwise = isPointwise(g)
            guard microKernel, S.self == Float.self else { packed = []; return }
            packed = w.withUnsafeBufferPointer { wb in
                let wf = KernelDispatch.cast(wb.baseAddress!, to: Float.self)
                return (0..<g.groups).map { grp in
                    direction == .forward
                        ? MicroGEMM.PackedA(transposeA: false, m: cog, k: rowsOfCol, a: wf + grp * cog * rowsOfCol, lda: rowsOfCol)
                        : MicroGEMM.PackedA(transposeA: true, m: rowsOfCol, k: cog, a: wf + grp * cog * rowsOfCol, lda: rowsOfCol)
                }
            }
        }

        /// `C = op(W_g) · B`: the packed weights on the micro-kernel, else ``KernelScalar/convolutionGEMM``.
        @inline(__always)
        func gemm<T: KernelScalar>(_ grp: Int, transposeA: Bool, m: Int, n: Int, k: Int, _ wg: UnsafePointer<T>,
                                   lda: Int, b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int) {
            if packed.isEmpty {
                T.convolutionGEMM(transposeA: transposeA, m: m, n: n, k: k, a: wg, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            } else {
                MicroGEMM.multiply(packed[grp], n: n, b: KernelDispatch.cast(b, to: Float.self), ldb: ldb,
                                   c: KernelDispatch.cast(c, to: Float.self), ldc: ldc)
            }
        }

        /// The prelude both directions share: chunks of `nb` samples, a column buffer (none when the input itself
        /// is the column matrix) and a staging buffer for chunks of several samples, from `scratch`; then
        /// `body(b0, samples, width, grp, col, stage)` per (chunk, group).
        func forEachChunk<T: KernelScalar>(
            _ g: ConvolutionGeometry, _: T.Type, batch: Int, scratch: ScratchPool,
            _ body: (Int, Int, Int, Int, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, UnsafeBufferPointer<Int32>) -> Void
        ) {
            let nb = chunk(g, batch: batch)
            let direct = nb == 1 && pointwise
            let colCount = direct ? 0 : rowsOfCol * nb * M, stageCount = nb == 1 ? 0 : g.outChannelsPerGroup * nb * M
            scratch.with(T.self, count: colCount + stageCount) { buffer in
                rows.forwardRows.withUnsafeBufferPointer { table in
                    var b0 = 0
                    while b0 < batch {
                        let nbHere = min(nb, batch - b0)
                        for grp in 0..<g.groups { body(b0, nbHere, nbHere * M, grp, buffer, buffer + colCount, table) }
                        b0 += nbHere
                    }
                }
            }
        }

        /// Runs `job(ci, l)` for every (channel of the group, sample of the chunk): one job per core, each a strided
        /// share of the planes, since small planes would otherwise drown in dispatch overhead.
        func forEachPlane(_ g: ConvolutionGeometry, samples: Int, width: Int, _ job: (Int, Int) -> Void) {
            let items = cig * samples, workers = min(items, 2 * MachineProfile.current.threads)
            Parallel.forEach(jobs: workers, work: rowsOfCol * width, threshold: 1 << 15) { worker in
                for item in stride(from: worker, to: items, by: workers) { job(item / samples, item % samples) }
            }
        }

        /// Moves `samples` output planes of `cog` channels between the batch layout and the chunk's `cog × width`.
        func stage<T: KernelScalar>(_ g: ConvolutionGeometry, samples: Int, toBatch: Bool, _ chunk: UnsafeMutablePointer<T>,
                                    _ batch: UnsafeMutablePointer<T>) {
            for co in 0..<cog {
                for l in 0..<samples {
                    let c = chunk + co * samples * M + l * M, b = batch + (l * cout + co) * M
                    if toBatch { b.update(from: c, count: M) } else { c.update(from: b, count: M) }
                }
            }
        }

        package func forward<T: KernelScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>, _ x: UnsafePointer<T>,
                                              _ y: UnsafeMutablePointer<T>, batch: Int, scratch: ScratchPool) {
            forEachChunk(g, T.self, batch: batch, scratch: scratch) { b0, nb, width, grp, col, out, table in
                let bMatrix: UnsafePointer<T>, ldb: Int
                if nb == 1 && pointwise {
                    bMatrix = x + (b0 * cin + grp * cig) * N; ldb = N
                } else {
                    forEachPlane(g, samples: nb, width: width) { ci, l in
                        im2col(rows, table, x + ((b0 + l) * cin + grp * cig + ci) * N, col + ci * K * width + l * M, ld: width)
                    }
                    bMatrix = UnsafePointer(col); ldb = width
                }
                let yg = y + (b0 * cout + grp * cog) * M
                gemm(grp, transposeA: false, m: cog, n: width, k: rowsOfCol, w + grp * cog * rowsOfCol, lda: rowsOfCol,
                     b: bMatrix, ldb: ldb, c: nb == 1 ? yg : out, ldc: width)
                if nb > 1 { stage(g, samples: nb, toBatch: true, out, yg) }
            }
        }

        package func transpose<T: KernelScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>, _ yIn: UnsafePointer<T>,
                                                _ xOut: UnsafeMutablePointer<T>, batch: Int, scratch: ScratchPool) {
            forEachChunk(g, T.self, batch: batch, scratch: scratch) { b0, nb, width, grp, col, gathered, table in
                let yb = UnsafeMutablePointer(mutating: yIn + (b0 * cout + grp * cog) * M)
                if nb > 1 { stage(g, samples: nb, toBatch: false, gathered, yb) }
                let yg = UnsafePointer(nb == 1 ? yb : gathered), wg = w + grp * cog * rowsOfCol
                if nb == 1 && pointwise {
                    gemm(grp, transposeA: true, m: rowsOfCol, n: width, k: cog, wg, lda: rowsOfCol, b: yg, ldb: width,
                         c: xOut + (b0 * cin + grp * cig) * N, ldc: N)
                    return
                }
                gemm(grp, transposeA: true, m: rowsOfCol, n: width, k: cog, wg, lda: rowsOfCol, b: yg, ldb: width,
                     c: col, ldc: width)
                forEachPlane(g, samples: nb, width: width) { ci, l in
                    col2im(rows, table, UnsafePointer(col + ci * K * width + l * M), ld: width,
                           xOut + ((b0 + l) * cin + grp * cig + ci) * N, planeCount: N)
                }
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
