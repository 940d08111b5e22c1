import ConvAlgebraCore
import ConvAlgebraBackends

/// Short rows (small planes): the column matrix through a precomputed gather table instead of row segments.
///
/// `table[(ci·K + τ)·M + p] = ci·N + c(p, τ)`, the input element (relative to the group's first channel of a
/// sample) that output pixel `p` reads through tap `τ`, or −1 at padding. With rows of a few pixels, the
/// segment loops of ``ImplicitGEMMKernels/im2colBlock`` spend ~100 cycles of set-up per handful of copies;
/// the table costs one load per entry and no set-up (suite C's 4×4 and 16×16 planes).
extension ImplicitGEMMKernels {
    /// Rows shorter than this take the table.
    package static let gatherRowLimit = 32
    /// The most entries a table may have (8 MiB of `Int32`).
    package static let gatherEntryLimit = 1 << 21

    /// The gather table of `g`, or nil when its rows are long enough for segments or the table too large.
    /// - Complexity: `(C_in/G)·K·M` entries written once per call.
    package static func gatherTable(_ g: ConvolutionGeometry, _ p: RowPlan) -> [Int32]? {
        let (N, M, K, cig) = (g.inputPlane, g.outputPlane, g.kernelPlane, g.inChannelsPerGroup)
        let (count, overflow) = (cig * K).multipliedReportingOverflow(by: M)
        guard p.m < gatherRowLimit, !overflow, count <= gatherEntryLimit, cig * N < Int(Int32.max) else { return nil }
        var table = [Int32](repeating: -1, count: count)
        table.withUnsafeMutableBufferPointer { t in
            for ci in 0..<cig {
                for T_ in 0..<p.outerTaps {
                    for tap in 0..<p.k {
                        let r = ci * K + T_ * p.k + tap
                        let lo = p.firstValid[tap], hi = p.lastValid[tap], base = p.o + tap * p.e
                        guard lo <= hi else { continue }
                        for P in 0..<p.outerOutputs {
                            let R = Int(p.forwardRows[P * p.outerTaps + T_])
                            guard R >= 0 else { continue }
                            for i in lo...hi { t[r * M + P * p.m + i] = Int32(ci * N + R * p.n + base + i * p.s) }
                        }
                    }
                }
            }
        }
        return table
    }

    /// Rows `r0 ..< r1` of the column matrix for the block's columns (``Segment``s split at sample bounds) and the
    /// samples' planes, through the table: gathered (im2col, `scatter` false) or scattered back (col2im, true):
    /// ```
    /// gather:   col[(r − r0)·ld + offset + p]  = x[sample][table[r·M + p]]   (0 where the entry is −1)
    /// scatter:  x[sample][table[r·M + p]]     += col[(r − r0)·ld + offset + p]
    /// ```
    @inline(__always)
    package static func transferBlock(_ table: UnsafePointer<Int32>, rows r0: Int, _ r1: Int, planeOutputs M: Int,
                                      _ x: UnsafeMutablePointer<Float>, sampleStride: Int,
                                      _ segments: UnsafePointer<Segment>, _ count: Int,
                                      _ col: UnsafeMutablePointer<Float>, ld: Int, scatter: Bool) {
        for r in r0..<r1 {
            let entries = table + r * M, row = col + (r - r0) * ld
            for q in 0..<count {
                let g = segments[q], plane = x + g.sample * sampleStride, c = row + g.offset
                if scatter {
                    for p in g.i0..<g.i1 { let o = Int(entries[p]); if o >= 0 { plane[o] += c[p] } }
                } else {
                    for p in g.i0..<g.i1 { let o = Int(entries[p]); c[p] = o < 0 ? 0 : plane[o] }
                }
            }
        }
    }
}
