import ConvAlgebraCore
import ConvAlgebraBackends

/// The fast direct form of nearest-neighbour up-sampling by integer factors (up to three spatial dimensions):
/// `y[(d·kd + a, h·kh + b, w·kw + c)] = x[(d, h, w)]`.
///
/// Each input row is widened once (`x[w]` repeated `kw` times: for `kw = 2`, an unpack of each four-lane
/// vector with itself) and the widened row is copied to the `kd · kh` output rows it fills; with an
/// output beyond ``StreamingStore/threshold`` the copies are streaming stores, so the output (the bulk of the
/// bytes moved: `kd·kh·kw` times the input) is written without being read first.
package enum NearestUpsamplingKernels {
    /// Up-samples `planes` planes of spatial size `inputSize` (three extents, leading ones for lower ranks)
    /// by `scale` (three factors).
    /// - Complexity: no arithmetic; reads `planes · Π n` elements and writes `planes · Π n · Π k`.
    package static func upsample<S: BLASScalar>(inputSize: [Int], scale: [Int], planes: Int, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        if S.self == Float.self {
            upsampleTyped(inputSize: inputSize, scale: scale, planes: planes, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self))
        } else if S.self == Double.self {
            upsampleTyped(inputSize: inputSize, scale: scale, planes: planes, KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self))
        } else {
            upsampleTyped(inputSize: inputSize, scale: scale, planes: planes, x, y)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func upsampleTyped<T>(inputSize: [Int], scale: [Int], planes: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let (D, H, W) = (inputSize[0], inputSize[1], inputSize[2])
        let (kd, kh, kw) = (scale[0], scale[1], scale[2])
        let (OH, OW) = (H * kh, W * kw)
        let N = D * H * W, M = N * kd * kh * kw
        let stream = planes * M * MemoryLayout<T>.stride >= StreamingStore.threshold
        let jobs = min(planes, 16)
        Parallel.forEach(jobs: jobs, work: planes * M, threshold: PoolingKernels.parallelThreshold) { job in
            let first = job * planes / jobs, last = (job + 1) * planes / jobs
            withUnsafeTemporaryAllocation(of: T.self, capacity: stream ? OW : 1) { buffer in
                for j in first..<last {
                    let xp = x + j * N, yp = y + j * M
                    for d in 0..<D {
                        for h in 0..<H {
                            // The first output row of this input row is widened in place, unless streaming.
                            let top = yp + ((d * kd) * OH + h * kh) * OW
                            let wide = stream ? buffer.baseAddress! : top
                            widen(xp + (d * H + h) * W, into: wide, count: W, factor: kw)
                            for a in 0..<kd {
                                for b in 0..<kh {
                                    let row = yp + ((d * kd + a) * OH + h * kh + b) * OW
                                    if stream {
                                        StreamingStore.copy(wide, to: row, count: OW)
                                    } else if row != wide {
                                        row.update(from: wide, count: OW)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if stream { StreamingStore.fence() }
        }
    }

    /// `out[i·k + c] = src[i]` for `i < n`, `c < k`.
    @inline(__always)
    package static func widen<T>(_ src: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count n: Int, factor k: Int) {
        if k == 1 { out.update(from: src, count: n); return }
        var i = 0
        if k == 2, T.self == Float.self {
            // Four inputs → eight outputs: (v0 v0 v1 v1)(v2 v2 v3 v3), an unpacklo/unpackhi pair.
            let s = UnsafeRawPointer(src), o = UnsafeMutableRawPointer(out)
            while i + 4 <= n {
                let v = s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
                o.storeBytes(of: SIMD8(v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3]), toByteOffset: 8 * i, as: SIMD8<Float>.self)
                i += 4
            }
        } else if k == 2, T.self == Double.self {
            let s = UnsafeRawPointer(src), o = UnsafeMutableRawPointer(out)
            while i + 2 <= n {
                let v = s.loadUnaligned(fromByteOffset: 8 * i, as: SIMD2<Double>.self)
                o.storeBytes(of: SIMD4(v[0], v[0], v[1], v[1]), toByteOffset: 16 * i, as: SIMD4<Double>.self)
                i += 2
            }
        }
        while i < n {
            let v = src[i]
            for c in 0..<k { out[i * k + c] = v }
            i += 1
        }
    }
}
