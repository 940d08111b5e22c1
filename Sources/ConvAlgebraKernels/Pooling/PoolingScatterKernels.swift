import ConvAlgebraCore
import ConvAlgebraBackends

/// The fast direct form of average pooling's transpose (up to three spatial dimensions): each output spreads
/// back over its window, `x̃[window of o] += weight[o] · y[o]`, one output row at a time.
///
/// Output row `(od, oh)` first forms `v[ow] = weight[o] · y[o]` (one contiguous pass), then for every input row
/// `(a, b)` of its window and every tap `t` adds `v` to the input row at `ow·s − p + t·d`, over the outputs whose
/// tap `t` lands inside the row: a range computed once, so the loops carry no index table (the CSR scatter
/// loads a column index and a weight per term). With non-overlapping windows (`s ≥ k`) every element
/// receives its terms in output order, as the CSR scatter adds them, so the bits agree; overlapping windows
/// add the same terms in tap-major order (rounding may differ by ulps).
extension PoolingKernels {
    /// `x = Pᵀ y` per plane, `x` overwritten: the transpose of ``windowSumValues(_:weight:planes:_:_:)``.
    /// - Complexity: `planes · nnz(P)` additions and `planes · Π L` multiplications; writes `x` once.
    package static func windowScatterValues<S: BLASScalar>(_ w: PoolingWindows, weight: [S], planes: Int,
                                                   _ y: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>) {
        weight.withUnsafeBufferPointer { wt in
            if S.self == Float.self {
                windowScatter(w, KernelDispatch.cast(wt.baseAddress!, to: Float.self), planes: planes,
                              KernelDispatch.cast(y, to: Float.self), KernelDispatch.cast(x, to: Float.self))
            } else if S.self == Double.self {
                windowScatter(w, KernelDispatch.cast(wt.baseAddress!, to: Double.self), planes: planes,
                              KernelDispatch.cast(y, to: Double.self), KernelDispatch.cast(x, to: Double.self))
            } else {
                windowScatter(w, wt.baseAddress!, planes: planes, y, x)
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func windowScatter<T: BLASScalar>(_ w: PoolingWindows, _ weight: UnsafePointer<T>, planes: Int,
                                             _ y: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>) {
        let (H, W) = (w.inputSize[1], w.inputSize[2])
        let (OD, OH, OW) = (w.outputSize[0], w.outputSize[1], w.outputSize[2])
        let (dd, dh, dw) = (w.dilation[0], w.dilation[1], w.dilation[2])
        let (kw, sw, pw) = (w.kernelSize[2], w.stride[2], w.padding[2])
        let N = w.inputSize.reduce(1, *), M = OD * OH * OW
        let (startD, startH) = (w.start[0], w.start[1])
        let (countD, countH) = (w.count[0], w.count[1])
        // Per tap t, the outputs whose tap lands in the row: ⌈(p − t·d)/s⌉ ≤ ow ≤ ⌊(W − 1 + p − t·d)/s⌋.
        let tapRange: [Range<Int>] = (0..<kw).map { t in
            let lo = max(0, -PoolingGeometry.floorDivide(t * dw - pw, sw))
            let hi = min(OW, PoolingGeometry.floorDivide(W - 1 + pw - t * dw, sw) + 1)
            return lo..<max(lo, hi)
        }
        let jobs = min(planes, 16)
        Parallel.forEach(jobs: jobs, work: planes * M * w.kernelSize.reduce(1, *), threshold: parallelThreshold) { job in
            let first = job * planes / jobs, last = (job + 1) * planes / jobs
            withUnsafeTemporaryAllocation(of: T.self, capacity: max(OW, 1)) { vb in
                let v = vb.baseAddress!
                tapRange.withUnsafeBufferPointer { tapRange in
                    for j in first..<last {
                        let xp = x + j * N, yp = y + j * M
                        xp.update(repeating: 0, count: N)
                        var o = 0
                        for od in 0..<OD {
                            let (sd, cd) = (startD[od], countD[od])
                            for oh in 0..<OH {
                                let (sh, ch) = (startH[oh], countH[oh])
                                for ow in 0..<OW { v[ow] = weight[o &+ ow] * yp[o &+ ow] }
                                for a in 0..<cd {
                                    for b in 0..<ch {
                                        let row = xp + ((sd &+ a &* dd) &* H &+ sh &+ b &* dh) &* W
                                        addTaps(v, into: row, tapRange, kw: kw, sw: sw, pw: pw, dw: dw)
                                    }
                                }
                                o &+= OW
                            }
                        }
                    }
                }
            }
        }
    }

    /// `row[ow·s − p + t·d] += v[ow]` for every tap `t` and every `ow` in `tapRange[t]`, taps in order.
    @inline(__always)
    package static func addTaps<T: BLASScalar>(_ v: UnsafePointer<T>, into row: UnsafeMutablePointer<T>, _ tapRange: UnsafeBufferPointer<Range<Int>>,
                                       kw: Int, sw: Int, pw: Int, dw: Int) {
        for t in 0..<kw {
            let r = tapRange[t]
            let base = row + (t &* dw &- pw)
            if sw == 1 {
                for ow in r { base[ow] += v[ow] }
            } else {
                for ow in r { base[ow &* sw] += v[ow] }
            }
        }
    }
}
