import ConvAlgebraCore
import ConvAlgebraBackends
import CMicroKernels

/// Forward multi-channel convolution as an implicit GEMM in FP32: the column matrix of
/// ``Im2colGEMMKernels`` is never stored whole. Each core takes blocks of ``blockColumns`` output
/// pixels (across the whole batch), writes that block's `(C_in/G)·K × blockColumns` slice of the column
/// matrix into a scratch that stays in L2, and multiplies it at once with the micro-kernel:
/// ```
/// Y_g[:, block] = W_g (C_out/G × (C_in/G)·K) · Col[:, block]
/// ```
/// Why: the stored column matrix is `K` times the input (7 MB a sample for 64 channels of 56×56 and a 3×3
/// kernel); writing it out and reading it back costs as much time as the GEMM's arithmetic on this machine.
/// - Complexity: `2 · batch · C_out · M · (C_in/G) · K` FLOPs, the column entries copied once in cache;
///   scratch `cores · ((C_in/G)·K · blockColumns + 256·192)` floats plus the packed weights.
package enum ImplicitGEMMKernels {
    /// Pixels per block: wide enough to amortise packing (at most 192), narrow enough that the block of
    /// `rows` column-matrix rows stays within ~256 KB of L2 beside the packed weights; a multiple of 16.
    package static func blockColumns(rows: Int) -> Int {
        max(16, min(192, (65_536 / max(rows, 1)) / 16 * 16))
    }

    /// Whether one core's column block (`(C_in/G)·K` rows × at least 16 columns) stays within the column-matrix
    /// scratch limit of ``Im2colGEMMKernels/maxScratch``; otherwise the chunked im2col path runs.
    package static func fits(_ g: ConvolutionGeometry) -> Bool {
        let rows = g.inChannelsPerGroup * g.kernelPlane
        return rows * blockColumns(rows: rows) <= Im2colGEMMKernels.maxScratch
    }

    /// What the implicit GEMM precomputes, once per operator and direction: the row tables, the gather table of
    /// short rows, the block width, and the weights packed as the micro-kernel's `op(A)` — per group forward
    /// (`W_g`), per (group, worker) for the transpose (the worker's rows of `W_gᵀ`).
    package struct Prepared: Sendable {
        package let rows: RowPlan
        package let gather: [Int32]?
        package let blockColumns: Int
        /// Transpose: the cores split the input channels; forward: they split the pixel blocks.
        package let workers: Int
        package let packed: [MicroGEMM.PackedA]
        let direction: ConvolutionDirection

        package init(_ g: ConvolutionGeometry, _ w: [Float], direction: ConvolutionDirection) {
            let (K, cig, cog) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup)
            let rowCount = cig * K
            self.direction = direction
            rows = RowPlan(g)
            gather = gatherTable(g, rows)
            let cores = MachineProfile.current.threads
            if direction == .forward {
                workers = cores
                blockColumns = ImplicitGEMMKernels.blockColumns(rows: rowCount)
                packed = w.withUnsafeBufferPointer { wp in
                    (0..<g.groups).map { grp in
                        MicroGEMM.PackedA(transposeA: false, m: cog, k: rowCount, a: wp.baseAddress! + grp * cog * rowCount,
                                          lda: rowCount)
                    }
                }
            } else {
                let workers = max(1, min(cig, cores))
                self.workers = workers
                blockColumns = ImplicitGEMMKernels.blockColumns(rows: (cig + workers - 1) / workers * K)
                // op(A) = rows ci0·K ..< ci1·K of W_gᵀ: W_g is C_out/G × rows, so read transposed.
                packed = w.withUnsafeBufferPointer { wp in
                    (0..<(g.groups * workers)).map { item in
                        let grp = item / workers, worker = item % workers
                        let ci0 = worker * cig / workers, ci1 = (worker + 1) * cig / workers
                        return MicroGEMM.PackedA(transposeA: true, m: (ci1 - ci0) * K, k: cog,
                                                 a: wp.baseAddress! + grp * cog * rowCount + ci0 * K, lda: rowCount)
                    }
                }
            }
        }

        package func run(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            if direction == .forward { forward(g, x, y, batch: batch, scratch: scratch) }
            else { transpose(g, x, y, batch: batch, scratch: scratch) }
        }

        /// Per-worker scratch, from `scratch`: `rowCount · blockColumns` column entries, the B panel, the segments.
        func withWorkerScratch(rows rowCount: Int, workers: Int, scratch: ScratchPool,
                               _ body: (UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Segment>) -> Void) {
            let perWorker = rowCount * blockColumns + ca_sgemm_b_scratch_count()
            scratch.with(Float.self, count: perWorker * workers) { floats in
                scratch.with(Segment.self, count: (blockColumns + 1) * workers) { segments in
                    body(floats, perWorker, segments)
                }
            }
        }

        func forward(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                     batch: Int, scratch: ScratchPool) {
            let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
            let (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
            let rowCount = cig * K, columns = batch * M
            guard columns > 0, cog > 0 else { return }
            let blocks = (columns + blockColumns - 1) / blockColumns
            let workers = min(blocks, self.workers)
            withWorkerScratch(rows: rowCount, workers: workers, scratch: scratch) { floats, perWorker, segments in
            (gather ?? []).withUnsafeBufferPointer { gatherTable in
            rows.forwardRows.withUnsafeBufferPointer { table in
                for grp in 0..<g.groups {
                    packed[grp].storage.withUnsafeBufferPointer { packedA in
                    Parallel.forEach(jobs: workers, work: cog * rowCount * columns, threshold: 0) { worker in
                        let col = floats + worker * perWorker, bScratch = col + rowCount * blockColumns
                        let mySegments = segments + worker * (blockColumns + 1)
                        for block in stride(from: worker, to: blocks, by: workers) {
                            let j0 = block * blockColumns, j1 = min(columns, j0 + blockColumns), nc = j1 - j0
                            if !gatherTable.isEmpty, let gt = gatherTable.baseAddress {
                                let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: M, into: mySegments)
                                transferBlock(gt, rows: 0, rowCount, planeOutputs: M,
                                              UnsafeMutablePointer(mutating: x + grp * cig * N), sampleStride: cin * N,
                                              UnsafePointer(mySegments), count, col, ld: nc, scatter: false)
                            } else {
                                let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: rows.m, into: mySegments)
                                for ci in 0..<cig {
                                    im2colBlock(rows, table, x + (grp * cig + ci) * N, sampleStride: cin * N,
                                                UnsafePointer(mySegments), count, col + ci * K * nc, ld: nc)
                                }
                            }
                            // One GEMM per sample the block spans: each writes its own output plane rows.
                            forEachSampleRun(j0, j1, M) { j, l, p, run in
                                ca_sgemm_columns(cog, rowCount, 0, run, packedA.baseAddress!, col + (j - j0), nc,
                                                 y + (l * cout + grp * cog) * M + p, M, bScratch)
                            }
                        }
                    }
                    }
                }
            }
            }
            }
        }

        /// The transpose, `x̃ = Wᵀ y` read as GEMM then col2im, fused block by block: `Col[:, block] = W_gᵀ ·
        /// Y_g[:, block]` into an L2 scratch, then scattered into `x̃` at once. The cores split the *input
        /// channels* (the GEMM's rows), not the pixels: a channel's col2im writes only its own planes, so no two
        /// cores ever add into the same element, whatever the overlap of the windows or the batch size.
        /// - Complexity: the forward's FLOPs; `x̃` zeroed once, each column entry added once in cache.
        func transpose(_ g: ConvolutionGeometry, _ yIn: UnsafePointer<Float>, _ xOut: UnsafeMutablePointer<Float>,
                       batch: Int, scratch: ScratchPool) {
            let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
            let (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
            let columns = batch * M
            guard N > 0, cig > 0 else { return }
            let rowsPerWorker = (cig + workers - 1) / workers * K
            let blocks = (columns + blockColumns - 1) / blockColumns
            withWorkerScratch(rows: rowsPerWorker, workers: workers, scratch: scratch) { floats, perWorker, segments in
            (gather ?? []).withUnsafeBufferPointer { gatherTable in
            rows.forwardRows.withUnsafeBufferPointer { table in
                for grp in 0..<g.groups {
                    Parallel.forEach(jobs: workers, work: cog * cig * K * max(columns, 1), threshold: 0) { worker in
                        let ci0 = worker * cig / workers, ci1 = (worker + 1) * cig / workers
                        let myRows = (ci1 - ci0) * K
                        guard myRows > 0 else { return }
                        let col = floats + worker * perWorker, bScratch = col + rowsPerWorker * blockColumns
                        let mySegments = segments + worker * (blockColumns + 1)
                        for l in 0..<batch {
                            (xOut + (l * cin + grp * cig + ci0) * N).update(repeating: 0, count: (ci1 - ci0) * N)
                        }
                        guard cog > 0 else { return }
                        packed[grp * workers + worker].storage.withUnsafeBufferPointer { packedA in
                            for block in 0..<blocks {
                                let j0 = block * blockColumns, j1 = min(columns, j0 + blockColumns), nc = j1 - j0
                                forEachSampleRun(j0, j1, M) { j, l, p, run in
                                    ca_sgemm_columns(myRows, cog, 0, run, packedA.baseAddress!,
                                                     yIn + (l * cout + grp * cog) * M + p, M, col + (j - j0), nc, bScratch)
                                }
                                if !gatherTable.isEmpty, let gt = gatherTable.baseAddress {
                                    let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: M, into: mySegments)
                                    transferBlock(gt, rows: ci0 * K, ci1 * K, planeOutputs: M, xOut + grp * cig * N,
                                                  sampleStride: cin * N, UnsafePointer(mySegments), count, col, ld: nc,
                                                  scatter: true)
                                    continue
                                }
                                let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: rows.m, into: mySegments)
                                for ci in ci0..<ci1 {
                                    col2imBlock(rows, table, UnsafePointer(col + (ci - ci0) * K * nc), ld: nc,
                                                xOut + (grp * cig + ci) * N, sampleStride: cin * N,
                                                UnsafePointer(mySegments), count)
                                }
                            }
                        }
                    }
                }
            }
            }
            }
        }
    }

    /// Columns `j0 ..< j1` (`j = sample · M + pixel`) cut at sample bounds: `body(j, sample, pixel, count)`.
    @inline(__always)
    static func forEachSampleRun(_ j0: Int, _ j1: Int, _ M: Int, _ body: (Int, Int, Int, Int) -> Void) {
        var j = j0
        while j < j1 {
            let l = j / M, p = j - l * M, run = min(j1 - j, M - p)
            body(j, l, p, run)
            j += run
        }
    }

    /// Rows `(τ, ·)` of one input channel's column matrix for the block's output columns, given as
    /// ``Segment``s: `col[τ·ld + offset + i] = x[sample][c((P, i), τ)]`, zero at padding.
    @inline(__always)
    package static func im2colBlock(_ p: RowPlan, _ table: UnsafeBufferPointer<Int32>, _ x: UnsafePointer<Float>,
                            sampleStride: Int, _ segments: UnsafePointer<Segment>, _ count: Int,
                            _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let (n, k, s) = (p.n, p.k, p.s)
        for T_ in 0..<p.outerTaps {
            for t in 0..<k {
                let row = col + (T_ * k + t) * ld
                let lo = p.firstValid[t], hi = p.lastValid[t], base = p.o + t * p.e
                for q in 0..<count {
                    let g = segments[q], i0 = g.i0, i1 = g.i1
                    let dst = row + g.offset, R = Int(table[g.outerRow * p.outerTaps + T_])
                    if R < 0 || lo > hi {
                        for i in i0..<i1 { dst[i] = 0 }
                        continue
                    }
                    let src = x + g.sample * sampleStride + R * n + base
                    let a = max(i0, lo), b = min(i1 - 1, hi)
                    for i in i0..<min(a, i1) { dst[i] = 0 }
                    if a <= b {
                        if s == 1 { for i in a...b { dst[i] = src[i] } } else { for i in a...b { dst[i] = src[i * s] } }
                    }
                    for i in max(b + 1, i0)..<i1 { dst[i] = 0 }
                }
            }
        }
    }

    /// A run of a block's columns inside one output row: sample, outer output row `P`, row positions
    /// `i0 ..< i1`, and `offset` with column `j − j0 = offset + i`. Computed once per block, so the row loops of
    /// every `(channel, tap)` need no division.
    package struct Segment {
        package var sample: Int, outerRow: Int, i0: Int, i1: Int, offset: Int

        /// Splits columns `j0 ..< j1` (`j = sample · M + P · m + i`) into runs; returns their count (≤ `j1 − j0`).
        package static func split(j0: Int, j1: Int, planeOutputs M: Int, rowLength m: Int,
                          into out: UnsafeMutablePointer<Segment>) -> Int {
            var j = j0, count = 0
            while j < j1 {
                let l = j / M, pixel = j - l * M, P = pixel / m, i0 = pixel - P * m
                let i1 = min(m, i0 + (j1 - j))
                out[count] = Segment(sample: l, outerRow: P, i0: i0, i1: i1, offset: j - j0 - i0)
                count += 1
                j += i1 - i0
            }
            return count
        }
    }

    /// The transpose of ``im2colBlock``: `x[sample][c((P, i), τ)] += col[τ·ld + offset + i]` over the segments.
    @inline(__always)
    package static func col2imBlock(_ p: RowPlan, _ table: UnsafeBufferPointer<Int32>, _ col: UnsafePointer<Float>, ld: Int,
                            _ x: UnsafeMutablePointer<Float>, sampleStride: Int,
                            _ segments: UnsafePointer<Segment>, _ count: Int) {
        let (n, k, s) = (p.n, p.k, p.s)
        for T_ in 0..<p.outerTaps {
            for t in 0..<k {
                let row = col + (T_ * k + t) * ld
                let lo = p.firstValid[t], hi = p.lastValid[t], base = p.o + t * p.e
                if lo > hi { continue }
                for q in 0..<count {
                    let g = segments[q]
                    let R = Int(table[g.outerRow * p.outerTaps + T_])
                    let a = max(g.i0, lo), b = min(g.i1 - 1, hi)
                    guard R >= 0, a <= b else { continue }
                    let src = row + g.offset, dst = x + g.sample * sampleStride + R * n + base
                    if s == 1 {
                        var i = a
                        while i + 8 <= b + 1 { dst.store(dst.lanes(i) + src.lanes(i), at: i); i += 8 }
                        while i <= b { dst[i] += src[i]; i += 1 }
                    } else {
                        for i in a...b { dst[i * s] += src[i] }
                    }
                }
            }
        }
    }
}
