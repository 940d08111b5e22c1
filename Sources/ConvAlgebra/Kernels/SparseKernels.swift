/// CSR × dense for a row-major batch: `y_b = A · x_b` for every sample `b`, threaded and vectorised.
///
/// - Batches of 8 or more: the batch is transposed into column-major blocks of 16 samples, so each
///   non-zero `a_rc` does one SIMD multiply-add over 16 samples, `Y[r, :] += a_rc · X[c, :]`, with the
///   matrix streamed once per block; blocks are split across the cores, each core transposing its own
///   block in a scratch buffer allocated once per call.
/// - Smaller batches: one dot product per row and sample, rows split across the cores.
/// - Complexity: `2 · batch · nnz` FLOPs; the blocked path also moves `batch · (m + n)` scalars twice.
enum SparseKernels {
    /// Samples per block of the blocked path (two 8-lane registers).
    static let block = 16

    static func apply<S: BLASScalar>(_ a: CSRMatrix<S>, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
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

    static func applyTyped<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                            _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                            batch: Int) {
        let nnz = off[m]
        if batch < 8 {
            rowwise(off, col, val, m, n, x, y, batch: batch, nnz: nnz)
        } else {
            blocked(off, col, val, m, n, x, y, batch: batch, nnz: nnz)
        }
    }

    /// One dot product per (sample, row); rows split in two halves across the cores.
    static func rowwise<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                         _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                         batch: Int, nnz: Int) {
        let jobs = 2 * ProcessInfoLite.activeProcessorCount
        let rowsPerJob = (m + jobs - 1) / jobs
        Parallel.forEach(jobs: jobs, work: batch * nnz, threshold: 1 << 15) { j in
            let r0 = j * rowsPerJob, r1 = min(m, r0 + rowsPerJob)
            guard r0 < r1 else { return }
            for b in 0..<batch {
                let xb = x + b * n, yb = y + b * m
                for r in r0..<r1 {
                    var s0: T = 0, s1: T = 0
                    var e = off[r]
                    let end = off[r + 1]
                    while e + 1 < end {
                        s0 += val[e] * xb[Int(col[e])]
                        s1 += val[e + 1] * xb[Int(col[e + 1])]
                        e += 2
                    }
                    if e < end { s0 += val[e] * xb[Int(col[e])] }
                    yb[r] = s0 + s1
                }
            }
        }
    }

    /// Column-major blocks of 16 samples: one SIMD multiply-add over the block per non-zero.
    static func blocked<T: KernelScalar>(_ off: UnsafePointer<Int>, _ col: UnsafePointer<Int32>, _ val: UnsafePointer<T>,
                                         _ m: Int, _ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                         batch: Int, nnz: Int) {
        let L = block
        let blocks = (batch + L - 1) / L
        let workers = min(blocks, ProcessInfoLite.activeProcessorCount)
        Parallel.forEach(jobs: workers, work: batch * nnz, threshold: 1 << 15) { w in
            let xt = UnsafeMutablePointer<T>.allocate(capacity: n * L)
            let yt = UnsafeMutablePointer<T>.allocate(capacity: m * L)
            defer { xt.deallocate(); yt.deallocate() }
            xt.initialize(repeating: 0, count: n * L)
            var blk = w
            while blk < blocks {
                let b0 = blk * L, nb = min(L, batch - b0)
                // Transpose the block in: xt[c·L + l] = x[b0 + l, c].
                for l in 0..<nb {
                    let xb = x + (b0 + l) * n
                    for c in 0..<n { xt[c * L + l] = xb[c] }
                }
                for r in 0..<m {
                    var a0 = SIMD8<T>(), a1 = SIMD8<T>()
                    for e in off[r]..<off[r + 1] {
                        let v = SIMD8<T>(repeating: val[e]), p = UnsafePointer(xt + Int(col[e]) * L)
                        a0 += v * p.lanes(0)
                        a1 += v * p.lanes(8)
                    }
                    yt.store(a0, at: r * L)
                    yt.store(a1, at: r * L + 8)
                }
                // Transpose the block out: y[b0 + l, r] = yt[r·L + l].
                for l in 0..<nb {
                    let yb = y + (b0 + l) * m
                    for r in 0..<m { yb[r] = yt[r * L + l] }
                }
                blk += workers
            }
        }
    }
}
