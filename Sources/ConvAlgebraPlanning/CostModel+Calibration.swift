import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// Measuring the rates: a micro-benchmark of each kernel the forms run, on a reference shape, and the model
/// inverted so that it reproduces the measured time (two shapes where a term has two rates, e.g. the row
/// stencil's taps and reads, which 9- and 3-tap kernels of the same length separate).
///
/// | rates | measured on (FP32) |
/// |---|---|
/// | ``overhead``, ``threadedOverhead`` = ``handOff`` | a one-sample 8-point convolution; an empty region of the worker pool |
/// | ``parallelEfficiency`` | the row stencil on one plane (one core) and on `8·P` planes |
/// | ``stencilTap``, ``stencilIO``, ``stencilRankFactor`` | one 32768-point plane with 9 and 3 taps; a 181 × 181 plane, 3 × 3 |
/// | ``gemmPeak``, ``gemmHalfBatch``, ``gemmHalfRows`` | the dense form of 512 × 512 at 256 and 4 samples, 16 × 512 at 256 |
/// | ``gemvBandwidth``, ``bandwidth`` | one sample through a matrix of a quarter of the cache, and of 4 × the last level |
/// | ``spmvNonzero``, ``spmvRow`` | one sample through 8192² band matrices with 32 and 4 non-zeros a row |
/// | ``spmmNonzero``, ``spmmTransposed`` | `64·P` samples through 2048² band matrices with 32 and 4 non-zeros a row |
/// | ``im2colRate``, ``im2colHalfWidth``, ``im2colHalfThin``, ``im2colTransposedFactor`` | 3 × 3 convs 16 → 16 and 4 → 4 on 16 × 16 at 64 and 1 samples; a 4 × 4 stride-2 conv and its transpose |
/// | ``fft``, ``reference`` | 255 taps over 65536 points; the reference loops, 9 taps over 4096 points |
/// | ``peakFP32``, ``peakFP64``, ``fp64Factor`` | ``MachinePeak``'s FMA probes |
///
/// - Complexity: about half a second on a 2-core machine (most of it the FMA probes and the bandwidth matrix).
extension CostModel {
    /// The rates of this machine, measured with `stopwatch`; `peak` measures the FMA peaks (default:
    /// `MachinePeak` on `profile`'s threads). Every rate is clamped into the range ``isPlausible`` accepts,
    /// so a disturbed measurement gives a poor model, never an invalid one.
    public static func calibrated(profile: MachineProfile = .current, stopwatch: Stopwatch = .live(),
                                  peak: (() -> MachineProfile.Peak)? = nil) -> CostModel {
        let P = profile.threads
        let peaks = peak?() ?? {
            let fp64 = MachinePeak.fp64GFLOPs(rounds: 2_000_000, trials: 3, cores: P)
            var fp32 = MachinePeak.fp32GFLOPs(rounds: 2_000_000, trials: 3, cores: P)
            // The FP32 probe runs twice the FP64 probe's lanes through the same FMA units: a FP32 peak under 1.5×
            // the FP64 one lost a core in every trial (a parked worker, a sleeping vCPU), so it is measured again.
            if fp32 < 1.5 * fp64 { fp32 = max(fp32, MachinePeak.fp32GFLOPs(rounds: 4_000_000, trials: 3, cores: P)) }
            return MachineProfile.Peak(fp32GFLOPs: fp32, fp64GFLOPs: fp64)
        }()
        var m = CostModel.neutral(cacheBytes: Double(profile.caches.lastLevel.bytes / 2))
        m.peakFP32 = positive(peaks.fp32GFLOPs, 1)
        m.peakFP64 = positive(peaks.fp64GFLOPs, m.peakFP32 / 2)
        m.fp64Factor = clamp(m.peakFP64 / m.peakFP32, 0.01, 2)
        let bench = Bench(stopwatch: stopwatch, threads: P)

        // Calls and threads.
        m.overhead = positive(bench.conv("overhead", .dsp(3, 8), batch: 1, family: .rowStencil), 1e-6)
        m.threadedOverhead = P > 1 ? positive(stopwatch.time("calibrate/pool") { WorkerPool.shared.run(jobs: P) { _ in } }, 0) : 0
        // The pool's workers spin between back-to-back calls, so joining a region costs what an empty region does.
        m.handOff = m.threadedOverhead
        func net(_ t: Double, threaded: Bool = true) -> Double {
            max(t - m.overhead - (threaded ? m.threadedOverhead : 0), t * 0.05, 1e-9)
        }

        // Row stencil: one plane runs on one core, so its time is core-seconds as measured.
        let n = 32_768
        let t9 = net(bench.conv("stencil9", .dsp(9, n), batch: 1, family: .rowStencil), threaded: false)
        let t3 = net(bench.conv("stencil3", .dsp(3, n), batch: 1, family: .rowStencil), threaded: false)
        m.stencilTap = positive((t9 - t3) / Double(6 * n), t9 / Double(9 * n) / 2)
        m.stencilIO = positive((t3 - Double(3 * n) * m.stencilTap) / Double(2 * n), m.stencilTap)
        if P > 1 {
            let planes = 8 * P
            let tP = net(bench.conv("stencil9xP", .dsp(9, n), batch: planes, family: .rowStencil))
            let total = Double(planes) * t9
            m.parallelEfficiency = clamp((total - m.handOff) / (Double(P) * max(tP - m.handOff, 1e-9)), 0.5, 1)
        }
        let side = 181
        let t2 = net(bench.conv("stencil2d", .layer(1, 1, [side, side], kernel: 3), batch: 1, family: .rowStencil),
                     threaded: false)
        let pixels = Double(side * side)
        m.stencilRankFactor = clamp((t2 - 9 * pixels * m.stencilTap) / (2 * pixels * m.stencilIO) - 1, 0, 4)

        // Dense: GEMM's rate at 256 and 4 samples and at 16 rows gives its peak and the two half sizes.
        let r1 = 2 * 256 * 512 * 512 / net(bench.dense("gemm", rows: 512, columns: 512, batch: 256), threaded: false)
        let r2 = 2 * 4 * 512 * 512 / net(bench.dense("gemm-thin-batch", rows: 512, columns: 512, batch: 4), threaded: false)
        let r3 = 2 * 256 * 16 * 512 / net(bench.dense("gemm-few-rows", rows: 16, columns: 512, batch: 256), threaded: false)
        let qb = clamp(r1 / r2, 1, 32), qr = clamp(r1 / r3, 1, 16)
        m.gemmHalfBatch = 256 * (qb - 1) / (64 - qb)
        m.gemmHalfRows = 512 * (qr - 1) / (32 - qr)
        m.gemmPeak = r1 * (256 + m.gemmHalfBatch) / 256 * (512 + m.gemmHalfRows) / 512
        let gemvSide = max(64, Int((min(1_048_576, m.cacheBytes / 2) / 4).squareRoot()))
        m.gemvBandwidth = Double(4 * gemvSide * gemvSide)
            / net(bench.dense("gemv", rows: gemvSide, columns: gemvSide, batch: 1), threaded: false)
        let streamBytes = min(max(4 * Double(profile.caches.lastLevel.bytes), 16 * 1048576), 256 * 1048576,
                              Double(profile.memory.availableBytes) / 8)
        let streamSide = max(64, Int((streamBytes / 4).squareRoot()))
        m.bandwidth = Double(4 * streamSide * streamSide)
            / net(bench.dense("stream", rows: streamSide, columns: streamSide, batch: 1), threaded: false)

        // Sparse, row-wise (one sample) and blocked: band matrices with 32 and 4 non-zeros a row.
        let (rw32, rw4) = (bench.sparse("spmv32", size: 8192, band: 32, batch: 1), bench.sparse("spmv4", size: 8192, band: 4, batch: 1))
        let (c32, c4) = (m.coreSeconds(net(rw32), workers: P), m.coreSeconds(net(rw4), workers: P))
        m.spmvNonzero = positive((c32 - c4) / Double(28 * 8192), c32 / Double(32 * 8192))
        m.spmvRow = positive((c4 - Double(4 * 8192) * m.spmvNonzero) / 8192, m.spmvNonzero)
        let batch = 64 * P, size = 2048
        let L = SparseKernels.lanes(batch: batch, columns: size, scalarBytes: 4)
        let blocks = (batch + L - 1) / L, workers = min(blocks, P)
        let (b32, b4) = (bench.sparse("spmm32", size: size, band: 32, batch: batch), bench.sparse("spmm4", size: size, band: 4, batch: batch))
        let lanes = Double(blocks * L)
        let (d32, d4) = (m.coreSeconds(net(b32), workers: workers) / lanes, m.coreSeconds(net(b4), workers: workers) / lanes)
        m.spmmNonzero = positive((d32 - d4) / Double(28 * size), d32 / Double(32 * size))
        m.spmmTransposed = max((d4 - Double(4 * size) * m.spmmNonzero) / Double(2 * size), 0)

        // im2col + GEMM: width (64 samples against 1) and thinness (4 channels against 16) at half rate.
        let wide = Geometry.layer(16, 16, [16, 16], kernel: 3), thin = Geometry.layer(4, 4, [16, 16], kernel: 3)
        let flops16 = DLGeometry.nominalFlops(wide.geometry), flops4 = DLGeometry.nominalFlops(thin.geometry)
        let g1 = 64 * flops16 / net(bench.conv("im2col", wide, batch: 64, family: .gemm))
        let g2 = flops16 / net(bench.conv("im2col-one", wide, batch: 1, family: .gemm))
        let g3 = 64 * flops4 / net(bench.conv("im2col-thin", thin, batch: 64, family: .gemm))
        // Clamped so that a disturbed timing cannot make the half sizes (and the rate scaled by them) explode:
        // half width at most ~1 sample's pixels × 64, half thinness at most 16 channels.
        let qw = clamp(g1 / g2, 1, 32), qt = clamp(g1 / g3, 1, 2.5)
        m.im2colHalfWidth = 64 * 256 * (qw - 1) / (64 - qw)
        m.im2colHalfThin = 16 * (qt - 1) / (4 - qt)
        m.im2colRate = g1 * (64 * 256 + m.im2colHalfWidth) / (64 * 256) * (16 + m.im2colHalfThin) / 16
        let strided = Geometry.strided(8, 8, [32, 32], kernel: 4, stride: 2)
        let forward = net(bench.conv("im2col-strided", strided, batch: 16, family: .gemm))
        let transposed = net(bench.conv("im2col-transposed", strided, batch: 16, family: .gemm, direction: .transpose))
        m.im2colTransposedFactor = clamp(forward / transposed, 0.01, 1)

        // FFT and the reference loops.
        let long = Geometry.dsp(255, 65_536)
        let span = 255, (Lf, Bf) = FFTConvolutionKernels.blockSize(span: span, inputLength: 65_536)
        let fftFlops = 4 * Double((65_536 + Bf - 1) / Bf) * (5 * Double(Lf) * Double(Lf.trailingZeroBitCount) + 4 * Double(Lf))
        m.fft = fftFlops / net(bench.conv("fft", long, batch: 4, family: .fft))
        m.reference = 2 * 4096 * 9 / net(bench.conv("reference", .dsp(9, 4096), batch: 1, family: .reference), threaded: false)
        return m
    }

    /// A model whose every rate is 1 per unit (a starting point the calibration overwrites field by field).
    package static func neutral(cacheBytes: Double) -> CostModel {
        CostModel(gemmPeak: 1, gemmHalfBatch: 0, gemmHalfRows: 0, gemvBandwidth: 1, bandwidth: 1, cacheBytes: cacheBytes,
                  spmvNonzero: 1, spmvRow: 1, spmmNonzero: 1, spmmTransposed: 0, parallelEfficiency: 1,
                  stencilTap: 1, stencilIO: 1, stencilRankFactor: 0, im2colRate: 1, im2colHalfWidth: 0, im2colHalfThin: 0,
                  im2colTransposedFactor: 1, fft: 1, reference: 1, overhead: 0, threadedOverhead: 0, handOff: 0,
                  fp64Factor: 1, peakFP32: 1, peakFP64: 1)
    }

    private static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { x.isNaN ? lo : min(max(x, lo), hi) }
    private static func positive(_ x: Double, _ fallback: Double) -> Double {
        x > 0 && x.isFinite ? x : max(fallback, 1e-15)
    }
}

/// The reference shapes the calibration times.
private struct Geometry {
    let geometry: ConvolutionGeometry

    /// DSP `same` convolution of `K` taps over `n` points.
    static func dsp(_ K: Int, _ n: Int) -> Geometry { Geometry(geometry: try! .dsp(kernelLength: K, inputLength: n, mode: .same)) }

    /// A `k × k` layer convolution, `c_in → c_out` channels, zero padding `k/2`, stride 1.
    static func layer(_ cin: Int, _ cout: Int, _ size: [Int], kernel k: Int) -> Geometry {
        Geometry(geometry: try! DLGeometry.convolution(inChannels: cin, outChannels: cout, inputSize: size,
                                                        kernelSize: size.map { _ in k }, stride: size.map { _ in 1 },
                                                        padding: size.map { _ in k / 2 }, dilation: size.map { _ in 1 }))
    }

    /// A `k × k` stride-`s` layer convolution with padding 1.
    static func strided(_ cin: Int, _ cout: Int, _ size: [Int], kernel k: Int, stride s: Int) -> Geometry {
        Geometry(geometry: try! DLGeometry.convolution(inChannels: cin, outChannels: cout, inputSize: size,
                                                        kernelSize: size.map { _ in k }, stride: size.map { _ in s },
                                                        padding: size.map { _ in 1 }, dilation: size.map { _ in 1 }))
    }
}

/// The calibration's micro-benchmarks, FP32, data built outside the timed body.
private struct Bench {
    let stopwatch: Stopwatch
    let threads: Int

    func conv(_ name: String, _ shape: Geometry, batch: Int, family: ConvolutionKernel.Family,
              direction: ConvolutionDirection = .forward) -> Double {
        let g = shape.geometry
        let weights: [Float] = uniform(g.weightCount)
        let plan = ConvolutionPlan<Float>(g, weights: weights, direction: direction, family: family)
        let (inCount, outCount) = direction == .forward ? (g.domain.count, g.codomain.count) : (g.codomain.count, g.domain.count)
        let x: [Float] = uniform(batch * inCount)
        var y = [Float](repeating: 0, count: batch * outCount)
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let (xb, yb) = (xp.baseAddress!, yp.baseAddress!)
                return stopwatch.time("calibrate/\(name)") {
                    if family == .reference { StencilKernels.referenceForward(g, weights, xb, yb, batch: batch) }
                    else { plan.run(xb, yb, batch: batch) }
                }
            }
        }
    }

    func dense(_ name: String, rows: Int, columns: Int, batch: Int) -> Double {
        // The dense form as it runs (``DenseBatchProduct``: `Aᵀ` kept, one untransposed GEMM).
        guard let a = try? DenseBatchProduct(DenseMatrix<Float>(rows: rows, columns: columns, entries: uniform(rows * columns)))
        else { return 1 }
        return run(name, inCount: batch * columns, outCount: batch * rows) { a.applyUnchecked($0, $1, batch: batch) }
    }

    /// A `size × size` band matrix with `band` non-zeros a row.
    func sparse(_ name: String, size: Int, band: Int, batch: Int) -> Double {
        var offsets = [0], columns = [Int32]()
        for r in 0..<size {
            let start = min(max(r - band / 2, 0), size - band)
            columns += (start..<start + band).map { Int32($0) }
            offsets.append(columns.count)
        }
        guard let a = try? CSRMatrix<Float>(rows: size, columns: size, rowOffsets: offsets, columnIndices: columns,
                                            values: uniform(columns.count)) else { return 1 }
        return run(name, inCount: batch * size, outCount: batch * size) { a.applyUnchecked($0, $1, batch: batch) }
    }

    private func run(_ name: String, inCount: Int, outCount: Int,
                     _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Double {
        let x: [Float] = uniform(inCount)
        var y = [Float](repeating: 0, count: outCount)
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let (xb, yb) = (xp.baseAddress!, yp.baseAddress!)
                return stopwatch.time("calibrate/\(name)") { body(xb, yb) }
            }
        }
    }

    /// Data for a timing: the values do not change a kernel's time (none is zero, none is special), so a
    /// constant fill, which costs a memset rather than a random number per element.
    private func uniform(_ count: Int) -> [Float] { [Float](repeating: 0.5, count: count) }
}
