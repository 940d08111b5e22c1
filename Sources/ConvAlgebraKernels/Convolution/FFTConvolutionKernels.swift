import ConvAlgebraCore
import ConvAlgebraBackends

/// Long 1-D convolutions by overlap-add FFT (FFTW): `y = window(x * h)` with `h = ↑d q` (reversed for a
/// correlation), in blocks of `B = L − K_d + 1` input samples per length-`L` transform.
///
/// Along the one dimension output `i` reads `x[i + o + t·e]` (stride 1); with `K_d = (K−1)·d + 1`,
/// ```
/// e = −d:  h[t·d] = q[t],          y[i] = (x * h)[i + o]
/// e = +d:  h[(K−1−t)·d] = q[t],    y[i] = (x * h)[i + o + (K−1)·d]
/// ```
/// and `(x * h)[j] = 0` outside `0 ..< n + K_d − 1`, the zero boundary. Each block: zero-pad to `L`,
/// real FFT, multiply by `Ĥ/L`, inverse real FFT, add into the full convolution. Rows (samples) are
/// split across the cores; the spectrum of the kernel and the FFTW plans are built once, in the plan.
/// - Complexity: about `(5·L·log₂L + 4·L)/B` FLOPs per input sample against `2·K` for the direct form.
package enum FFTConvolutionKernels {
    /// The dilated kernel length from which the FFT is tried at all (below it the SIMD row stencil wins).
    package static let minimumSpan = 48

    /// Whether `g` is a single-channel stride-1 zero-boundary 1-D convolution, long enough that overlap-add
    /// does fewer than a third of the direct form's FLOPs per output.
    package static func applies(_ g: ConvolutionGeometry) -> Bool {
        guard eligible(g) else { return false }
        let K = g.kernelSize[0], span = (K - 1) * abs(g.tapStep[0]) + 1
        guard span >= minimumSpan else { return false }
        let (L, B) = blockSize(span: span, inputLength: g.inputSize[0])
        guard workspaceFits(L: L, span: span, inputLength: g.inputSize[0]) else { return false }
        let perBlock = 5 * Double(L) * Double(L.trailingZeroBitCount) + 4 * Double(L)
        // A short input fills only part of one block: count the outputs it really gives.
        return 3 * perBlock / Double(min(B, g.inputSize[0])) < 2 * Double(K)
    }

    /// Whether the kernel can run `g` at all: one channel, one dimension, stride 1, zero boundary, non-empty.
    package static func eligible(_ g: ConvolutionGeometry) -> Bool {
        g.rank == 1 && g.inChannels == 1 && g.outChannels == 1 && g.stride[0] == 1 && g.boundary == .zero
            && g.inputSize[0] >= 1 && g.outputSize[0] >= 1
    }

    /// The transform length `L` (a power of two, at least `4·K_d`, at most enough for the whole input) and
    /// the block `B = L − K_d + 1`.
    package static func blockSize(span: Int, inputLength n: Int) -> (L: Int, B: Int) {
        var L = 64
        while L < 4 * span { L <<= 1 }
        while L < 8192 && L - span + 1 < n && L < 16 * span { L <<= 1 }
        return (L, L - span + 1)
    }

    /// What overlap-add precomputes once per operator: the block size, `Ĥ/L` (the scaled spectrum of the
    /// dilated, possibly reversed kernel) and the FFTW plans (FFTW's planner is not thread-safe; its new-array
    /// execute functions are, so one pair of plans serves every worker and every concurrent apply).
    package final class Prepared<T: KernelScalar>: @unchecked Sendable {
        package let L: Int, B: Int
        let hHat: [T]
        let forwardPlan: OpaquePointer, backwardPlan: OpaquePointer

        package init(_ g: ConvolutionGeometry, _ w: UnsafePointer<T>) {
            let (n, K, e) = (g.inputSize[0], g.kernelSize[0], g.tapStep[0])
            let d = abs(e), span = (K - 1) * d + 1
            (L, B) = blockSize(span: span, inputLength: n)
            let spectrum = 2 * (L / 2 + 1), (L, planIn, planOut) = (L, T.fftwAllocate(L), T.fftwAllocate(spectrum))
            defer { T.fftwFree(planIn); T.fftwFree(planOut) }
            let plans = FFTWPlanning.lock.withLock {
                FFTWPlanning.Pair(forward: T.planRealToComplex(L, planIn, planOut)!, backward: T.planComplexToReal(L, planOut, planIn)!)
            }
            (forwardPlan, backwardPlan) = (plans.forward, plans.backward)
            planIn.update(repeating: 0, count: L)
            for t in 0..<K { planIn[e < 0 ? t * d : (K - 1 - t) * d] = w[t] }
            T.executeRealToComplex(forwardPlan, planIn, planOut)
            let scale = 1 / T(L)
            hHat = (0..<spectrum).map { planOut[$0] * scale }
        }

        deinit {
            let plans = FFTWPlanning.Pair(forward: forwardPlan, backward: backwardPlan)
            FFTWPlanning.lock.withLock { T.destroyPlan(plans.forward); T.destroyPlan(plans.backward) }
        }
    }

    /// `y = window(x * h)` for `batch` rows, the rows split across the cores, each with its block, spectrum and
    /// full-convolution scratch from `scratch` (64-byte aligned, as FFTW's SIMD codelets want).
    package static func forward<T: KernelScalar>(_ g: ConvolutionGeometry, _ p: Prepared<T>, _ w: UnsafePointer<T>, _ x: UnsafePointer<T>,
                                                 _ y: UnsafeMutablePointer<T>, batch: Int, scratch: ScratchPool) {
        let (n, m, K, o, e) = (g.inputSize[0], g.outputSize[0], g.kernelSize[0], g.offset[0], g.tapStep[0])
        let d = abs(e), span = (K - 1) * d + 1
        let shift = e < 0 ? o : o + (K - 1) * d
        let (L, B) = (p.L, p.B)
        let spectrum = 2 * (L / 2 + 1), full = n + span - 1
        let (forwardPlan, backwardPlan) = (p.forwardPlan, p.backwardPlan)
        // Each worker's block (L), spectrum, and full convolution (full + L), each rounded to 16 scalars.
        let round = { (c: Int) in (c + 15) / 16 * 16 }
        let perWorker = round(L) + round(spectrum) + round(full + L)
        let workers = min(batch, MachineProfile.current.threads)
        scratch.with(T.self, count: perWorker * workers) { buffers in
        p.hHat.withUnsafeBufferPointer { hHat in
        Parallel.forEach(jobs: workers, work: batch * n * 64, threshold: 1 << 15) { worker in
            let block = buffers + worker * perWorker, spec = block + round(L), z = spec + round(spectrum)
            var b = worker
            while b < batch {
                let xb = x + b * n, yb = y + b * m
                if holdsNonFinite(xb, count: n) { termByTermSample(g, w, xb, yb); b += workers; continue }  // IEEE, not spread by the transform
                z.update(repeating: 0, count: full + L)
                var start = 0
                while start < n {
                    let len = min(B, n - start)
                    block.update(from: xb + start, count: len)
                    (block + len).update(repeating: 0, count: L - len)
                    T.executeRealToComplex(forwardPlan, block, spec)
                    // Complex product spec ← spec · Ĥ/L, one (re, im) pair at a time.
                    var k = 0
                    while k < spectrum {
                        let (ar, ai, br, bi) = (spec[k], spec[k + 1], hHat[k], hHat[k + 1])
                        spec[k] = ar * br - ai * bi
                        spec[k + 1] = ar * bi + ai * br
                        k += 2
                    }
                    T.executeComplexToReal(backwardPlan, spec, block)
                    let zs = z + start
                    var i = 0
                    while i + 8 <= L { zs.store(zs.lanes(i) + UnsafePointer(block).lanes(i), at: i); i += 8 }
                    while i < L { zs[i] += block[i]; i += 1 }
                    start += B
                }
                for i in 0..<m {
                    let j = i + shift
                    yb[i] = j >= 0 && j < full ? z[j] : 0
                }
                b += workers
            }
        }
        }
        }
    }
}
