import ConvAlgebraCore
import ConvAlgebraBackends

/// The row stencil's forward: each output row is one sum over the input rows it reads, held in registers.
///
/// For output plane `co` of sample `b` and output row `P` (``RowPlan``'s outer rows), the rows read are the
/// pairs (input channel `ci` of the group, outer tap `T`) whose outer input row `R(P, T)` is inside; with
/// `c = i·s + o + t·e` along the row (the reference text's index map, zero boundary):
/// ```
/// y[b, co, P, i] = Σ_{ci} Σ_{T : R(P,T) ≥ 0} Σ_{t : 0 ≤ c < n} w[co, ci, T, t] · x[b, grp·cig + ci, R(P, T), c]
/// ```
/// Depthwise (`C_in/G = 1`, any channel multiplier) is the case of 3 rows of 3 taps for a 3×3 kernel.
///
/// Why this shape (c2d-dw, 8×128×56×56, 3×3: 10.4 ms on a quiet machine accumulating row by row; on the
/// loaded machine of session 2, side by side, median 22 → 11-14 ms, best 14.5 → 3.4 ms, CPU time per apply
/// 11.2 → ~5.5 ms):
/// 1. every tap of every row is summed into one vector of 8 (or two, 16) outputs, stored once: the output
///    row is never re-read per tap or per input channel;
/// 2. the interior (every tap inside the row) runs vectors; a tail shorter than a vector recomputes the
///    last 8 interior outputs (an idempotent store), so only the border outputs run scalar;
/// 3. stride 1 loads contiguous lanes, stride 2 loads two overlapping vectors and keeps the even lanes
///    (never reading past the last input the outputs need), other strides gather;
/// 4. kernel width 3 is unrolled so its three weights are splatted once per row per vector.
///
/// Tried and dropped: streaming the output through a ``RowWriter`` (non-temporal stores) cost ~20 % more CPU
/// time here, side by side.
///
/// The transpose is ``RowStencilKernels/transpose(_:_:_:_:_:batch:)`` (this forward on the adjoint geometry for
/// stride 1, the polyphase gather otherwise).
/// - Complexity: `2 · outputs · taps` FLOPs (taps inside the input only); reads the input and writes the
///   output once per plane; a stack scratch of `2 · C_in/G · outerTaps` pointers per job.
extension RowStencilKernels {
    package static func forward<T: KernelScalar>(_ g: ConvolutionGeometry, _ plan: RowPlan, _ w: UnsafePointer<T>,
                                         _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
        let slots = max(1, cig * plan.outerTaps)
        let pad = plan.rowPadding, padded = usesPaddedRows(plan, channels: cig)
        let (n, np) = (plan.n, plan.n + pad.left + pad.right)
        let scratchCount = padded ? cig * plan.outerInputs * np : 1
        // A job runs a run of planes and reuses its scratch: the zero borders are written once per job, and
        // each plane then copies only the rows' middles. 64 jobs or more keep both cores busy to the end.
        let planes = batch * cout, perJob = max(1, planes / 64)
        plan.forwardRows.withUnsafeBufferPointer { table in
            Parallel.forEach(jobs: (planes + perJob - 1) / perJob, work: planes * M * cig * K) { job in
                withUnsafeTemporaryAllocation(of: T.self, capacity: scratchCount) { paddedPlanes in
                    let xp = paddedPlanes.baseAddress!
                    if padded { xp.initialize(repeating: 0, count: scratchCount) }
                    withUnsafeTemporaryAllocation(of: UnsafePointer<T>.self, capacity: 2 * slots) { scratch in
                        let xs = scratch.baseAddress!, ws = xs + slots
                        for plane in (job * perJob)..<min(planes, (job + 1) * perJob) {
                            let b = plane / cout, co = plane % cout, grp = co / cog
                            let xPlane = x + (b * cin + grp * cig) * N, wPlane = w + co * cig * K
                            let yPlane = y + (b * cout + co) * M
                            if padded {
                                // Note 2: the rows between explicit zeros, so that every output is interior.
                                for row in 0..<(cig * plan.outerInputs) {
                                    copyRow(xPlane + row * n, to: xp + row * np + pad.left, count: n)
                                }
                            }
                            for P in 0..<plan.outerOutputs {
                                // The rows this output row reads, and their weight rows.
                                var rows = 0
                                for ci in 0..<cig {
                                    for Tt in 0..<plan.outerTaps {
                                        let R = Int(table[P * plan.outerTaps + Tt])
                                        if R < 0 { continue }
                                        xs[rows] = padded ? UnsafePointer(xp + (ci * plan.outerInputs + R) * np + pad.left)
                                                          : xPlane + ci * N + R * n
                                        ws[rows] = wPlane + ci * K + Tt * plan.k
                                        rows += 1
                                    }
                                }
                                let yr = yPlane + P * plan.m
                                if padded {
                                    interiorRow(plan, xs, ws, rows: rows, yr, 0, plan.m - 1)
                                } else {
                                    forwardRow(plan, xs, ws, rows: rows, yr)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `count` scalars from `src` to `dst` by vectors of 8 (the last one overlapping): a short row's copy
    /// through `memmove` costs more in the call than in the copy.
    @inline(__always)
    package static func copyRow<T: KernelScalar>(_ src: UnsafePointer<T>, to dst: UnsafeMutablePointer<T>, count: Int) {
        guard count >= 8 else {
            for j in 0..<count { dst[j] = src[j] }
            return
        }
        var j = 0
        while j < count {
            j = min(j, count &- 8)
            dst.store(src.lanes(j), at: j)
            j &+= 8
        }
    }

    /// Whether to copy the input rows with explicit zero borders: a border output costs about 40 cycles scalar,
    /// the copy about a quarter of a cycle per input, so it pays when `borders · 160 ≥ n` (a 56-wide plane with
    /// padding 1 copies; a 4096-long signal with 8 border outputs does not), with the copy at most 256 KiB.
    package static func usesPaddedRows(_ p: RowPlan, channels: Int) -> Bool {
        let interior = p.interiorLow <= p.interiorHigh ? p.interiorHigh - p.interiorLow + 1 : 0
        let borders = p.m - interior
        guard borders > 0 else { return false }
        let count = channels * p.outerInputs * (p.n + p.rowPadding.left + p.rowPadding.right)
        return borders * 160 >= p.n && count <= 1 << 16
    }

    /// One output row: scalar borders, vector interior (see the type's notes 2–4).
    @inline(__always)
    package static func forwardRow<T: KernelScalar>(_ p: RowPlan, _ xs: UnsafePointer<UnsafePointer<T>>,
                                            _ ws: UnsafePointer<UnsafePointer<T>>, rows: Int,
                                            _ yr: UnsafeMutablePointer<T>) {
        let lo = p.interiorLow, hi = p.interiorHigh, m = p.m
        guard lo <= hi else {
            for i in 0..<m { yr[i] = borderOutput(p, xs, ws, rows: rows, i) }
            return
        }
        for i in 0..<lo { yr[i] = borderOutput(p, xs, ws, rows: rows, i) }
        interiorRow(p, xs, ws, rows: rows, yr, lo, hi)
        for i in (hi + 1)..<max(m, hi + 1) { yr[i] = borderOutput(p, xs, ws, rows: rows, i) }
    }

    /// Outputs `lo ... hi` of a row whose taps all read inside the rows `xs`.
    @inline(__always)
    package static func interiorRow<T: KernelScalar>(_ p: RowPlan, _ xs: UnsafePointer<UnsafePointer<T>>,
                                             _ ws: UnsafePointer<UnsafePointer<T>>, rows: Int,
                                             _ yr: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int) {
        // Type parameters (not constant arguments, which the optimiser does not reliably propagate) fold the
        // stride and width branches out of the inner loop.
        switch (p.s, p.k) {
        case (1, 3) where rows == 3 && hi - lo >= 7:
            interior3x3(p, xs, ws, yr, lo, hi, ContiguousLanes.self)
        case (2, 3) where rows == 3 && hi - lo >= 7:
            interior3x3(p, xs, ws, yr, lo, hi, EvenLanes.self)
        case (1, 3): interior(p, xs, ws, rows: rows, yr, lo, hi, ContiguousLanes.self, ThreeTaps.self)
        case (2, 3): interior(p, xs, ws, rows: rows, yr, lo, hi, EvenLanes.self, ThreeTaps.self)
        case (1, _): interior(p, xs, ws, rows: rows, yr, lo, hi, ContiguousLanes.self, AnyTaps.self)
        case (2, _): interior(p, xs, ws, rows: rows, yr, lo, hi, EvenLanes.self, AnyTaps.self)
        default: interior(p, xs, ws, rows: rows, yr, lo, hi, GatheredLanes.self, AnyTaps.self)
        }
    }

    /// Outputs `lo ... hi`, every tap inside the row: blocks of 16, then 8, then the last 8 again (or scalars
    /// when the interior is shorter than 8).
    package static func interior<T: KernelScalar, L: RowLanes, W: TapWidth>(
        _ p: RowPlan, _ xs: UnsafePointer<UnsafePointer<T>>, _ ws: UnsafePointer<UnsafePointer<T>>, rows: Int,
        _ yr: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int, _: L.Type, _: W.Type
    ) {
        let s = p.s, o = p.o, e = p.e, k = W.width(p.k), end = hi &+ 1
        var j = lo
        while j &+ 16 <= end {
            var a0 = SIMD8<T>(), a1 = SIMD8<T>()
            for r in 0..<rows {
                let base = xs[r] + (j &* s &+ o), wr = ws[r]
                for t in 0..<k {
                    let wt = SIMD8<T>(repeating: wr[t]), q = base + t &* e
                    a0 += wt * L.lanes(q, s)
                    a1 += wt * L.lanes(q + 8 &* s, s)
                }
            }
            yr.store(a0, at: j); yr.store(a1, at: j &+ 8)
            j &+= 16
        }
        if j < end && end &- lo >= 8 {
            // The last vector may overlap outputs already stored: they are recomputed identically.
            while j < end {
                j = min(j, end &- 8)
                var a = SIMD8<T>()
                for r in 0..<rows {
                    let base = xs[r] + (j &* s &+ o), wr = ws[r]
                    for t in 0..<k { a += SIMD8<T>(repeating: wr[t]) * L.lanes(base + t &* e, s) }
                }
                yr.store(a, at: j)
                j &+= 8
            }
            return
        }
        while j < end {
            var a: T = 0
            for r in 0..<rows {
                let base = xs[r] + (j &* s &+ o), wr = ws[r]
                for t in 0..<k { a += wr[t] * base[t &* e] }
            }
            yr[j] = a
            j &+= 1
        }
    }

    /// Three rows of three taps (a 3×3 depthwise kernel's inner output rows), at least 8 outputs: the nine
    /// weights splatted once per row into registers, 8 outputs per step, the last step overlapping.
    package static func interior3x3<T: KernelScalar, L: RowLanes>(
        _ p: RowPlan, _ xs: UnsafePointer<UnsafePointer<T>>, _ ws: UnsafePointer<UnsafePointer<T>>,
        _ yr: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int, _: L.Type
    ) {
        let s = p.s, o = p.o, e = p.e, end = hi &+ 1
        let (x0, x1, x2) = (xs[0] + o, xs[1] + o, xs[2] + o)
        let (v0, v1, v2) = (ws[0], ws[1], ws[2])
        let w00 = SIMD8<T>(repeating: v0[0]), w01 = SIMD8<T>(repeating: v0[1]), w02 = SIMD8<T>(repeating: v0[2])
        let w10 = SIMD8<T>(repeating: v1[0]), w11 = SIMD8<T>(repeating: v1[1]), w12 = SIMD8<T>(repeating: v1[2])
        let w20 = SIMD8<T>(repeating: v2[0]), w21 = SIMD8<T>(repeating: v2[1]), w22 = SIMD8<T>(repeating: v2[2])
        let e2 = e &* 2
        var j = lo
        while j < end {
            j = min(j, end &- 8)
            let c = j &* s
            // Three independent row sums, then two adds: a shorter dependency chain than nine serial adds.
            let q0 = x0 + c, q1 = x1 + c, q2 = x2 + c
            var r0 = w00 * L.lanes(q0, s)
            var r1 = w10 * L.lanes(q1, s)
            var r2 = w20 * L.lanes(q2, s)
            r0 += w01 * L.lanes(q0 + e, s)
            r1 += w11 * L.lanes(q1 + e, s)
            r2 += w21 * L.lanes(q2 + e, s)
            r0 += w02 * L.lanes(q0 + e2, s)
            r1 += w12 * L.lanes(q1 + e2, s)
            r2 += w22 * L.lanes(q2 + e2, s)
            yr.store(r0 + r1 + r2, at: j)
            j &+= 8
        }
    }

    /// One output whose taps may fall outside the row: each tap checked (zero boundary).
    @inline(__always)
    package static func borderOutput<T: KernelScalar>(_ p: RowPlan, _ xs: UnsafePointer<UnsafePointer<T>>,
                                              _ ws: UnsafePointer<UnsafePointer<T>>, rows: Int, _ i: Int) -> T {
        let base = i * p.s + p.o
        var a: T = 0
        for r in 0..<rows {
            let xr = xs[r], wr = ws[r]
            for t in 0..<p.k {
                let c = base + t * p.e
                if c >= 0 && c < p.n { a += wr[t] * xr[c] }
            }
        }
        return a
    }
}

// MARK: - Loop parameters as types

/// How eight outputs' inputs for one tap, `q[0], q[s], …, q[7s]`, are loaded, reading nothing past `q[7s]`.
package protocol RowLanes { static func lanes<T: KernelScalar>(_ q: UnsafePointer<T>, _ s: Int) -> SIMD8<T> }

/// Stride 1: eight contiguous lanes.
package enum ContiguousLanes: RowLanes {
    @inline(__always) package static func lanes<T: KernelScalar>(_ q: UnsafePointer<T>, _: Int) -> SIMD8<T> { q.lanes(0) }
}

/// Stride 2: `q[0…7]` and `q[7…14]`, the even lanes of the first and the odd lanes of the second.
package enum EvenLanes: RowLanes {
    @inline(__always) package static func lanes<T: KernelScalar>(_ q: UnsafePointer<T>, _: Int) -> SIMD8<T> {
        SIMD8(lowHalf: q.lanes(0).evenHalf, highHalf: q.lanes(7).oddHalf)
    }
}

/// Any stride: a gather.
package enum GatheredLanes: RowLanes {
    @inline(__always) package static func lanes<T: KernelScalar>(_ q: UnsafePointer<T>, _ s: Int) -> SIMD8<T> {
        q.lanes(0, stride: s)
    }
}

/// The kernel width along the row: a constant the optimiser unrolls, or the plan's.
package protocol TapWidth { static func width(_ k: Int) -> Int }
package enum ThreeTaps: TapWidth { @inline(__always) package static func width(_: Int) -> Int { 3 } }
package enum AnyTaps: TapWidth { @inline(__always) package static func width(_ k: Int) -> Int { k } }
