import ConvAlgebraCore
import ConvAlgebraBackends
import CMicroKernels
import Synchronization

/// CSR × dense for a row-major batch: `Y = X · Aᵀ`, i.e. `y_b[r] = Σ_e a_e · x_b[c_e]` over the non-zeros `e`
/// of row `r`, for every sample `b`; threaded and vectorised.
///
/// - From 8 samples on (``blocked(_:_:_:_:_:_:_:batch:nnz:)``): the batch is cut into blocks of `L` samples
///   (``lanes(batch:columns:scalarBytes:)``: 8, 16 or 32), each block transposed into a column-major scratch
///   `xt[c·L + l] = x[b₀ + l, c]` so that a non-zero `a_rc` is one SIMD multiply-add over `L` contiguous
///   lanes, `yt[r, :] += a_rc · xt[c, :]`, and the result transposed back. Both transposes go by 4 × 4
///   register tiles (a scalar transpose cost as much as the products on 9-non-zero rows). The cores claim
///   blocks from a shared counter, so a core that starts late still takes its share. In FP32 on a CPU with
///   AVX2 + FMA a block runs in C (`ca_csr_block_f32`: 8 × 8 register transposes, one FMA per non-zero and 8
///   lanes), because this Swift code compiles for the x86-64 baseline, where `SIMD8` is two SSE halves and a
///   multiply-add two instructions.
/// - Smaller batches (``rowwise(_:_:_:_:_:_:_:batch:nnz:)``): one dot product per row and sample, four
///   partial sums in flight, rows split across the cores.
/// - Complexity: `2 · batch · nnz` FLOPs; the blocked path also moves `batch · (m + n)` scalars twice, and
///   holds `(m + n) · L` scalars of scratch per core.
package enum SparseKernels {
    /// The smallest batch that takes the blocked path.
    package static let blockedBatch = 8

    /// Multiply-adds below which one core does the whole product (the hand-off costs more).
    package static let parallelWork = 1 << 15

    /// Bytes of transposed input a block may hold: half of one core's L2 (``MachineProfile/Caches/l2``), so the
    /// gathers stay in it.
    package static let scratchBytes = MachineProfile.current.caches.l2.bytes / 2

    /// Samples per block: the widest of 32, 16 (`Double`: 16 at most; 32 lanes of it would not fit the 16 SSE
    /// registers) that still gives every core two blocks and keeps the block's transposed input (`columns · L`
    /// scalars) within ``scratchBytes``, else 8, so that small batches split across the cores too. Wider
    /// blocks load each non-zero and column index once for more samples.
    package static func lanes(batch: Int, columns: Int, scalarBytes: Int) -> Int {
        let cores = MachineProfile.current.threads
        for L in (scalarBytes <= 4 ? [32, 16] : [16])
        where batch >= 2 * cores * L && columns * L * scalarBytes <= scratchBytes { return L }
        return 8
    }

    /// `Y = X · Aᵀ` for the CSR matrix `a` (`rows × columns`; `rowOffsets`, `columnIndices`, `values` as in
    /// ``CSRMatrix``), `batch` samples.
    package static func apply<S: BLASScalar>(_ a: (rows: Int, columns: Int, rowOffsets: [Int], columnIndices: [Int32], values: [S]),
                                             _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        guard batch > 0, a.rows > 0 else { return }
        a.rowOffsets.withUnsafeBufferPointer { off in
            a.columnIndices.withUnsafeBufferPointer { col in
                a.values.withUnsafeBufferPointer { val in
                    let (o, c) = (off.baseAddress!, col.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                    if S.self == Float.self {
                        applyTyped(o, c, KernelDispatch.cast(val.baseAddress ?? UnsafePointer(bitPattern: 8)!, to: Float.self),
                                   a.rows, a.columns, KernelDispatch.cast(x, to: Float.self),
                                   KernelDispatch.cast(y, to: Float.self), batch: batch)
                    } else if S.self == Double.self {
                        applyTyped(o, c, KernelDispatch.cast(val.baseAddress ?? UnsafePointer(bitPattern: 8)!, to: Double.self),
                                   a.rows, a.columns, KernelDispatch.cast(x, to: Double.self),
                                   KernelDispatch.cast(y, to: Double.self), batch: batch)
                    } else {
                        for b in 0..<batch {
                            for r in 0..<a.rows {
                                var s: S = 0
                                for e in off[r]..<off[r + 1] { s += val[e] * x[b * a.columns + Int(col[e])] }
                                y[b * a.rows + r] = s
                            }
                        }
                    }
                }
            }
        }
    }

    package static func applyTyped<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                            _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                            batch: Int) {
        let nnz = off[m]
        if batch < blockedBatch {
            rowwise(off, col, val, m, n, x, y, batch: batch, nnz: nnz)
        } else {
            blocked(off, col, val, m, n, x, y, batch: batch, nnz: nnz)
        }
    }

    /// One dot product per (sample, row), four partial sums in flight; the rows split evenly across the cores.
    package static func rowwise<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                         _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                         batch: Int, nnz: Int) {
        let jobs = batch * nnz >= parallelWork ? min(m, MachineProfile.current.threads) : 1
        Parallel.forEach(jobs: jobs, work: batch * nnz, threshold: parallelWork) { j in
            let r0 = m * j / jobs, r1 = m * (j + 1) / jobs
            for b in 0..<batch {
                let xb = x + b * n, yb = y + b * m
                for r in r0..<r1 {
                    var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
                    var e = off[r]
                    let end = off[r + 1]
                    while e + 4 <= end {
                        s0 += val[e] * xb[Int(col[e])]
                        s1 += val[e + 1] * xb[Int(col[e + 1])]
                        s2 += val[e + 2] * xb[Int(col[e + 2])]
                        s3 += val[e + 3] * xb[Int(col[e + 3])]
                        e += 4
                    }
                    while e < end { s0 += val[e] * xb[Int(col[e])]; e += 1 }
                    yb[r] = (s0 + s1) + (s2 + s3)
                }
            }
        }
    }

    /// Blocks of `L` samples, transposed in and out of column-major scratch; one SIMD multiply-add over the
    /// block per non-zero.
    package static func blocked<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                         _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                         batch: Int, nnz: Int) {
        let L = lanes(batch: batch, columns: n, scalarBytes: MemoryLayout<T>.size)
        let blocks = (batch + L - 1) / L
        let workers = batch * nnz >= parallelWork ? min(blocks, MachineProfile.current.threads) : 1
        let next = Atomic<Int>(0)
        Parallel.forEach(jobs: workers, work: batch * nnz, threshold: parallelWork) { _ in
            let xt = UnsafeMutablePointer<T>.allocate(capacity: n * L)
            let yt = UnsafeMutablePointer<T>.allocate(capacity: m * L)
            defer { xt.deallocate(); yt.deallocate() }
            while true {
                let blk = next.add(1, ordering: .relaxed).oldValue
                guard blk < blocks else { break }
                let b0 = blk * L, nb = min(L, batch - b0)
                // FP32 where the CPU has AVX2 + FMA: the same three steps in C with 8 × 8 register transposes and
                // one FMA per non-zero and 8 lanes (this Swift code compiles for SSE2, without FMA).
                if T.self == Float.self, ca_csr_block_f32(off, col, KernelDispatch.cast(val, to: Float.self), m, n,
                                                          KernelDispatch.cast(x, to: Float.self),
                                                          KernelDispatch.cast(y, to: Float.self),
                                                          b0, nb, KernelDispatch.cast(xt, to: Float.self),
                                                          KernelDispatch.cast(yt, to: Float.self), L) != 0 {
                    continue
                }
                transposeIn(x + b0 * n, n: n, samples: nb, into: xt, lanes: L)
                multiplyBlock(off, col, val, m, UnsafePointer(xt), yt, lanes: L)
                transposeOut(UnsafePointer(yt), m: m, samples: nb, into: y + b0 * m, lanes: L)
            }
        }
    }

    /// `yt[r·L + l] = Σ_e a_e · xt[c_e·L + l]` for every row, with `L / 8` eight-lane accumulators.
    @inline(__always)
    package static func multiplyBlock<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                               _ m: Int, _ xt: UnsafePointer<T>, _ yt: UnsafeMutablePointer<T>, lanes L: Int) {
        switch L {
        case 8:
            // Two non-zeros per step: one accumulator would wait on its own adds along a long row.
            for r in 0..<m {
                var a0 = SIMD8<T>(), a1 = SIMD8<T>()
                var e = off[r]
                let end = off[r + 1]
                while e + 2 <= end {
                    a0 += SIMD8(repeating: val[e]) * (xt + Int(col[e]) * 8).lanes(0)
                    a1 += SIMD8(repeating: val[e + 1]) * (xt + Int(col[e + 1]) * 8).lanes(0)
                    e += 2
                }
                if e < end { a0 += SIMD8(repeating: val[e]) * (xt + Int(col[e]) * 8).lanes(0) }
                yt.store(a0 + a1, at: r * 8)
            }
        case 16:
            for r in 0..<m {
                var a0 = SIMD8<T>(), a1 = SIMD8<T>()
                for e in off[r]..<off[r + 1] {
                    let v = SIMD8<T>(repeating: val[e]), p = xt + Int(col[e]) * 16
                    a0 += v * p.lanes(0)
                    a1 += v * p.lanes(8)
                }
                yt.store(a0, at: r * 16)
                yt.store(a1, at: r * 16 + 8)
            }
        default:
            for r in 0..<m {
                var a0 = SIMD8<T>(), a1 = SIMD8<T>(), a2 = SIMD8<T>(), a3 = SIMD8<T>()
                for e in off[r]..<off[r + 1] {
                    let v = SIMD8<T>(repeating: val[e]), p = xt + Int(col[e]) * 32
                    a0 += v * p.lanes(0)
                    a1 += v * p.lanes(8)
                    a2 += v * p.lanes(16)
                    a3 += v * p.lanes(24)
                }
                yt.store(a0, at: r * 32)
                yt.store(a1, at: r * 32 + 8)
                yt.store(a2, at: r * 32 + 16)
                yt.store(a3, at: r * 32 + 24)
            }
        }
    }

    // MARK: - Block transposes

    /// `xt[c·L + l] = x[l·n + c]` for the `samples` rows of `x`; in a partial block the lanes past `samples`
    /// are zero, so the products over them stay finite and are simply not copied out.
    /// Four samples at a time, each pass over the row in 4 × 4 tiles (reading 16 rows at once, 4 KiB
    /// apart, thrashed one L1 set; measured slower).
    @inline(__always)
    package static func transposeIn<T: KernelScalar>(_ x: UnsafePointer<T>, n: Int, samples nb: Int,
                                             into xt: UnsafeMutablePointer<T>, lanes L: Int) {
        if nb < L { xt.update(repeating: 0, count: n * L) }
        var l = 0
        while l + 4 <= nb {
            let r0 = x + l * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
            var c = 0
            while c + 4 <= n {
                let t = transpose4(quad(r0 + c), quad(r1 + c), quad(r2 + c), quad(r3 + c))
                let o = xt + c * L + l
                store(t.0, o); store(t.1, o + L); store(t.2, o + 2 * L); store(t.3, o + 3 * L)
                c += 4
            }
            while c < n {
                xt[c * L + l] = r0[c]; xt[c * L + l + 1] = r1[c]; xt[c * L + l + 2] = r2[c]; xt[c * L + l + 3] = r3[c]
                c += 1
            }
            l += 4
        }
        while l < nb {
            let r0 = x + l * n
            for c in 0..<n { xt[c * L + l] = r0[c] }
            l += 1
        }
    }

    /// `y[l·m + r] = yt[r·L + l]` for the first `samples` lanes, in 4 × 4 tiles.
    @inline(__always)
    package static func transposeOut<T: KernelScalar>(_ yt: UnsafePointer<T>, m: Int, samples nb: Int,
                                              into y: UnsafeMutablePointer<T>, lanes L: Int) {
        var l = 0
        while l + 4 <= nb {
            let r0 = y + l * m, r1 = r0 + m, r2 = r1 + m, r3 = r2 + m
            var r = 0
            while r + 4 <= m {
                let i = yt + r * L + l
                let t = transpose4(quad(i), quad(i + L), quad(i + 2 * L), quad(i + 3 * L))
                store(t.0, r0 + r); store(t.1, r1 + r); store(t.2, r2 + r); store(t.3, r3 + r)
                r += 4
            }
            while r < m {
                r0[r] = yt[r * L + l]; r1[r] = yt[r * L + l + 1]; r2[r] = yt[r * L + l + 2]; r3[r] = yt[r * L + l + 3]
                r += 1
            }
            l += 4
        }
        while l < nb {
            let r0 = y + l * m
            for r in 0..<m { r0[r] = yt[r * L + l] }
            l += 1
        }
    }

    /// The transpose of the 4 × 4 tile whose rows are `a, b, c, d` (compiles to SSE shuffles).
    @inline(__always)
    package static func transpose4<T: KernelScalar>(_ a: SIMD4<T>, _ b: SIMD4<T>, _ c: SIMD4<T>, _ d: SIMD4<T>)
        -> (SIMD4<T>, SIMD4<T>, SIMD4<T>, SIMD4<T>) {
        (SIMD4(a[0], b[0], c[0], d[0]), SIMD4(a[1], b[1], c[1], d[1]),
         SIMD4(a[2], b[2], c[2], d[2]), SIMD4(a[3], b[3], c[3], d[3]))
    }

    @inline(__always)
    package static func quad<T: KernelScalar>(_ p: UnsafePointer<T>) -> SIMD4<T> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<T>.self)
    }

    @inline(__always)
    package static func store<T: KernelScalar>(_ v: SIMD4<T>, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<T>.self)
    }
}
