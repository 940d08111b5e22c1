import ConvAlgebraCore
import ConvAlgebraBackends

/// The fast direct forms of max and average pooling (up to three spatial dimensions): one output row at a
/// time, the interior of the row eight outputs at once.
///
/// Output `(od, oh, ·)` folds the input rows `(sd + a·dd, sh + b·dh)` of its window, `a < cd`, `b < ch`
/// (``PoolingWindows``: padding rows are skipped, never read), in row-major order; along the row, output
/// `ow` reads `x[ow·s − p + t·d]`, `t < k`. Outputs whose horizontal window lies inside the row
/// (``PoolingWindows/interior``) are computed in blocks of eight lanes, lane `l` folding the same values in
/// the same order as the scalar fold of output `ow + l`, so the result is bit for bit the scalar kernel's;
/// the few border outputs run the scalar fold over their in-range taps.
///
/// Strided taps: stride 1 loads eight contiguous elements; stride 2 loads sixteen and keeps the even
/// (or odd) lanes (`shufps`), two taps per load where the row allows; other strides gather lane by lane.
extension PoolingKernels {
    /// Max pooling's values (no arg-max): `y = max over each window`, PyTorch's rules (``MaxReduction``).
    /// - Complexity: `planes · Π L · Π k` comparisons; reads the input once, writes the output once
    ///   (streaming when it exceeds ``StreamingStore/threshold``).
    package static func maxPoolValues<S: BLASScalar>(_ w: PoolingWindows, planes: Int, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        if S.self == Float.self {
            reduceRows(w, MaxReduction<Float>(), planes: planes, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self))
        } else if S.self == Double.self {
            reduceRows(w, MaxReduction<Double>(), planes: planes, KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self))
        } else {
            let index = UnsafeMutablePointer<Int>.allocate(capacity: max(1, planes * w.outputSize.reduce(1, *)))
            defer { index.deallocate() }
            maxPool(w, planes: planes, x, y, index)
        }
    }

    /// Average pooling's forward, `y[o] = weight[o] · Σ_window x` (the window sums in row-major order).
    /// - Complexity: `planes · nnz(P)` additions and `planes · Π L` multiplications; one pass over `x` and `y`.
    package static func windowSumValues<S: BLASScalar>(_ w: PoolingWindows, weight: [S], planes: Int,
                                               _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        weight.withUnsafeBufferPointer { wt in
            if S.self == Float.self {
                reduceRows(w, WeightedSumReduction(weight: KernelDispatch.cast(wt.baseAddress!, to: Float.self)), planes: planes,
                           KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self))
            } else if S.self == Double.self {
                reduceRows(w, WeightedSumReduction(weight: KernelDispatch.cast(wt.baseAddress!, to: Double.self)), planes: planes,
                           KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self))
            } else {
                windowSum(w, weight: weight, planes: planes, x, y)
            }
        }
    }

    /// The window sums `y[o] = Σ_window x` (no weight): nearest up-sampling's transpose, the `k`-box sum.
    /// - Complexity: `planes · nnz(P)` additions; one pass over `x` and `y`.
    package static func windowSumValues<S: BLASScalar>(_ w: PoolingWindows, planes: Int, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        if S.self == Float.self {
            reduceRows(w, SumReduction<Float>(), planes: planes, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self))
        } else if S.self == Double.self {
            reduceRows(w, SumReduction<Double>(), planes: planes, KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self))
        } else {
            windowSum(w, weight: Array(repeating: 1, count: w.outputSize.reduce(1, *)), planes: planes, x, y)
        }
    }

    /// Folds every window of `planes` planes with `R`, row by row (see the extension's comment).
    /// Jobs are contiguous ranges of planes, so each job's output is one contiguous stretch (streamed
    /// through a ``RowWriter`` when the output is large).
    package static func reduceRows<R: WindowReduction>(_ w: PoolingWindows, _ r: R, planes: Int,
                                               _ x: UnsafePointer<R.T>, _ y: UnsafeMutablePointer<R.T>) {
        typealias T = R.T
        let (H, W) = (w.inputSize[1], w.inputSize[2])
        let (OD, OH, OW) = (w.outputSize[0], w.outputSize[1], w.outputSize[2])
        let (dd, dh, dw) = (w.dilation[0], w.dilation[1], w.dilation[2])
        let (kw, sw, pw) = (w.kernelSize[2], w.stride[2], w.padding[2])
        let N = w.inputSize.reduce(1, *), M = OD * OH * OW
        let taps = w.kernelSize.reduce(1, *)
        let (lo, hi) = (w.interior.lowerBound, w.interior.upperBound)
        let (startD, startH, startW) = (w.start[0], w.start[1], w.start[2])
        let (countD, countH, countW) = (w.count[0], w.count[1], w.count[2])
        let capacity = RowWriter<T>.bufferCapacity(rowLength: OW, totalBytes: planes * M * MemoryLayout<T>.stride)
        // A few jobs per core, for balance on a shared machine; each owns a contiguous range of planes.
        let jobs = min(planes, 16)
        Parallel.forEach(jobs: jobs, work: planes * M * taps, threshold: parallelThreshold) { job in
            let first = job * planes / jobs, last = (job + 1) * planes / jobs
            withUnsafeTemporaryAllocation(of: T.self, capacity: max(capacity, 1)) { buffer in
                var out = RowWriter(y + first * M, buffer: capacity > 0 ? buffer : nil)
                startW.withUnsafeBufferPointer { startW in
                countW.withUnsafeBufferPointer { countW in
                for j in first..<last {
                    let xp = x + j * N
                    var o = 0
                    for od in 0..<OD {
                        let (sd, cd) = (startD[od], countD[od])
                        for oh in 0..<OH {
                            let (sh, ch) = (startH[oh], countH[oh])
                            let row = out.next(OW)
                            // Input row `(a, b)` of this output row's window.
                            @inline(__always) func input(_ a: Int, _ b: Int) -> UnsafePointer<T> {
                                xp + ((sd &+ a &* dd) &* H &+ sh &+ b &* dh) &* W
                            }
                            @inline(__always) func scalar(_ ow: Int) -> T {
                                var acc = R.identity
                                let (s0, cw) = (startW[ow], countW[ow])
                                for a in 0..<cd { for b in 0..<ch {
                                    let p = input(a, b) + s0
                                    for c in 0..<cw { R.combine(&acc, p[c &* dw]) }
                                } }
                                return r.finish(acc, at: o &+ ow)
                            }
                            @inline(__always) func block(_ ow: Int) {
                                var acc = SIMD8<T>(repeating: R.identity)
                                var flag = SIMD8<T>()
                                let base = ow &* sw &- pw
                                // How the taps are loaded: 0 contiguous; 1 stride 2 in pairs, taps t and t + 1
                                // the even and odd lanes of one 16-lane load at t (reads up to t + 15); 2 stride 2,
                                // each tap the odd lanes of a load at t − 1; 3 gathered lane by lane.
                                let mode = sw == 1 ? 0
                                    : sw == 2 && dw == 1 && base >= 0 && base &+ ((kw &- 1) & ~1) &+ 15 < W ? 1
                                    : sw == 2 && base >= 1 ? 2 : 3
                                // Folds every input row of the window with `fold(p, &h, &mark)` (p = the row at this
                                // block's first tap); called once per mode, so the tap loops carry no switch.
                                @inline(__always) func rows(_ fold: (UnsafePointer<T>, inout SIMD8<T>, inout SIMD8<T>) -> Void) {
                                    for a in 0..<cd { for b in 0..<ch {
                                        let p = input(a, b) + base
                                        if R.associative {
                                            // Each row folded on its own, then the rows in order: the same result
                                            // (the fold is associative), with short dependency chains.
                                            var h = SIMD8<T>(repeating: R.identity), unused = SIMD8<T>(), rowFlag = SIMD8<T>()
                                            fold(p, &h, &rowFlag)
                                            R.combine(&acc, h, &unused)
                                            R.merge(&flag, rowFlag)
                                        } else {
                                            fold(p, &acc, &flag)
                                        }
                                    } }
                                }
                                switch mode {
                                case 0:
                                    rows { p, h, f in for t in 0..<kw { R.combine(&h, p.lanes(t &* dw), &f) } }
                                case 1:
                                    rows { p, h, f in
                                        var t = 0
                                        while t &+ 1 < kw {
                                            let v = UnsafeRawPointer(p + t).loadUnaligned(as: SIMD16<T>.self)
                                            R.combine(&h, v.evenHalf, &f)
                                            R.combine(&h, v.oddHalf, &f)
                                            t &+= 2
                                        }
                                        if t < kw { R.combine(&h, UnsafeRawPointer(p + t).loadUnaligned(as: SIMD16<T>.self).evenHalf, &f) }
                                    }
                                case 2:
                                    rows { p, h, f in
                                        for t in 0..<kw {
                                            R.combine(&h, UnsafeRawPointer(p + (t &* dw &- 1)).loadUnaligned(as: SIMD16<T>.self).oddHalf, &f)
                                        }
                                    }
                                default:
                                    rows { p, h, f in for t in 0..<kw { R.combine(&h, p.lanes(t &* dw, stride: sw), &f) } }
                                }
                                if R.mayFlag && R.flagged(flag) {
                                    for l in 0..<8 { row[ow &+ l] = scalar(ow &+ l) }
                                } else {
                                    UnsafeMutableRawPointer(row + ow).storeBytes(of: r.finish(acc, at: o &+ ow), as: SIMD8<T>.self)
                                }
                            }
                            for ow in 0..<lo { row[ow] = scalar(ow) }
                            if hi - lo >= 8 {
                                var ow = lo
                                while ow + 8 <= hi { block(ow); ow += 8 }
                                // The last block overlaps the previous one: the lanes recomputed are the same.
                                if ow < hi { block(hi - 8) }
                            } else {
                                for ow in lo..<hi { row[ow] = scalar(ow) }
                            }
                            for ow in hi..<OW { row[ow] = scalar(ow) }
                            o += OW
                        }
                    }
                }
                }
                }
                out.flush()
                StreamingStore.fence()
            }
        }
    }
}
