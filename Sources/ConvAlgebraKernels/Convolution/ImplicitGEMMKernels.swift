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

    package static func forward(_ g: ConvolutionGeometry, _ plan: RowPlan, _ w: UnsafePointer<Float>,
                        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels, g.groups)
        let rows = cig * K, columns = batch * M
        guard columns > 0, cog > 0 else { return }
        let blockColumns = blockColumns(rows: rows)
        let blocks = (columns + blockColumns - 1) / blockColumns
        let workers = min(blocks, ProcessInfoLite.activeProcessorCount)
        let perWorker = rows * blockColumns + ca_sgemm_b_scratch_count()
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(perWorker * workers, 1))
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: max(ca_sgemm_packed_a_count(cog, rows), 1))
        let segments = UnsafeMutablePointer<Segment>.allocate(capacity: (blockColumns + 1) * workers)
        defer { scratch.deallocate(); packed.deallocate(); segments.deallocate() }
        let gather = gatherTable(g, plan) ?? []
        gather.withUnsafeBufferPointer { gatherTable in
        plan.forwardRows.withUnsafeBufferPointer { table in
            for grp in 0..<G {
                ca_sgemm_pack_a(0, cog, rows, w + grp * cog * rows, rows, packed)
                let packedA = UnsafePointer(packed)
                Parallel.forEach(jobs: workers, work: cog * rows * columns, threshold: 0) { worker in
                    let col = scratch + worker * perWorker, bScratch = col + rows * blockColumns
                    let mySegments = segments + worker * (blockColumns + 1)
                    for block in stride(from: worker, to: blocks, by: workers) {
                        let j0 = block * blockColumns, j1 = min(columns, j0 + blockColumns), nc = j1 - j0
                        if !gatherTable.isEmpty, let gt = gatherTable.baseAddress {
                            let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: M, into: mySegments)
                            gatherBlock(gt, rows: 0, rows, planeOutputs: M, x + grp * cig * N, sampleStride: cin * N,
                                        UnsafePointer(mySegments), count, col, ld: nc)
                        } else {
                            let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: plan.m, into: mySegments)
                            for ci in 0..<cig {
                                im2colBlock(plan, table, x + (grp * cig + ci) * N, sampleStride: cin * N,
                                            UnsafePointer(mySegments), count, col + ci * K * nc, ld: nc)
                            }
                        }
                        // One GEMM per sample the block spans: each writes its own output plane rows.
                        var j = j0
                        while j < j1 {
                            let l = j / M, p = j - l * M, run = min(j1 - j, M - p)
                            ca_sgemm_columns(cog, rows, 0, run, packedA, col + (j - j0), nc,
                                             y + (l * cout + grp * cog) * M + p, M, bScratch)
                            j += run
                        }
                    }
                }
            }
        }
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

    // MARK: - Transpose

    /// The transpose, `x̃ = Wᵀ y` read as GEMM then col2im, fused block by block: `Col[:, block] = W_gᵀ ·
    /// Y_g[:, block]` into an L2 scratch, then scattered into `x̃` at once. The cores split the *input
    /// channels* (the GEMM's rows), not the pixels: a channel's col2im writes only its own planes, so no two
    /// cores ever add into the same element, whatever the overlap of the windows or the batch size.
    /// - Complexity: the forward's FLOPs; `x̃` zeroed once, each column entry added once in cache.
    package static func transpose(_ g: ConvolutionGeometry, _ plan: RowPlan, _ w: UnsafePointer<Float>,
                          _ yIn: UnsafePointer<Float>, _ xOut: UnsafeMutablePointer<Float>, batch: Int) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels, g.groups)
        let rows = cig * K, columns = batch * M
        guard N > 0, cig > 0 else { return }
        let workers = min(cig, ProcessInfoLite.activeProcessorCount)
        let rowsPerWorker = (cig + workers - 1) / workers * K
        let blockColumns = blockColumns(rows: rowsPerWorker)
        let blocks = (columns + blockColumns - 1) / blockColumns
        let perWorker = rowsPerWorker * blockColumns + ca_sgemm_b_scratch_count() + ca_sgemm_packed_a_count(rowsPerWorker, cog)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(perWorker * workers, 1))
        let segments = UnsafeMutablePointer<Segment>.allocate(capacity: (blockColumns + 1) * workers)
        defer { scratch.deallocate(); segments.deallocate() }
        let gather = gatherTable(g, plan) ?? []
        gather.withUnsafeBufferPointer { gatherTable in
        plan.forwardRows.withUnsafeBufferPointer { table in
            for grp in 0..<G {
                let wg = w + grp * cog * rows
                Parallel.forEach(jobs: workers, work: cog * rows * max(columns, 1), threshold: 0) { worker in
                    let ci0 = worker * cig / workers, ci1 = (worker + 1) * cig / workers
                    let myRows = (ci1 - ci0) * K
                    guard myRows > 0 else { return }
                    let col = scratch + worker * perWorker, bScratch = col + rowsPerWorker * blockColumns
                    let packed = bScratch + ca_sgemm_b_scratch_count()
                    let mySegments = segments + worker * (blockColumns + 1)
                    for l in 0..<batch {
                        (xOut + (l * cin + grp * cig + ci0) * N).update(repeating: 0, count: (ci1 - ci0) * N)
                    }
                    guard cog > 0 else { return }
                    // op(A) = rows ci0·K ..< ci1·K of W_gᵀ: W_g is C_out/G × rows, so read transposed.
                    ca_sgemm_pack_a(1, myRows, cog, wg + ci0 * K, rows, packed)
                    for block in 0..<blocks {
                        let j0 = block * blockColumns, j1 = min(columns, j0 + blockColumns), nc = j1 - j0
                        var j = j0
                        while j < j1 {
                            let l = j / M, p = j - l * M, run = min(j1 - j, M - p)
                            ca_sgemm_columns(myRows, cog, 0, run, packed, yIn + (l * cout + grp * cog) * M + p, M,
                                             col + (j - j0), nc, bScratch)
                            j += run
                        }
                        if !gatherTable.isEmpty, let gt = gatherTable.baseAddress {
                            let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: M, into: mySegments)
                            scatterBlock(gt, rows: ci0 * K, ci1 * K, planeOutputs: M, UnsafePointer(col), ld: nc,
                                         xOut + grp * cig * N, sampleStride: cin * N, UnsafePointer(mySegments), count)
                            continue
                        }
                        let count = Segment.split(j0: j0, j1: j1, planeOutputs: M, rowLength: plan.m, into: mySegments)
                        for ci in ci0..<ci1 {
                            col2imBlock(plan, table, UnsafePointer(col + (ci - ci0) * K * nc), ld: nc,
                                        xOut + (grp * cig + ci) * N, sampleStride: cin * N, UnsafePointer(mySegments), count)
                        }
                    }
                }
            }
        }
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
