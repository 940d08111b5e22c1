import ConvAlgebraCore

/// The machine rates ``FormChooser``'s estimates use: seconds per unit of work, FLOP/s and bytes/s, each
/// measured on this machine by ``calibrated(profile:stopwatch:peak:)`` (a few milliseconds of micro-benchmarks of
/// the very kernels the forms run), cached in the wisdom file under the machine's fingerprint and thread count,
/// and never a constant fitted to one CPU. Every rate is per kernel kind; the half-saturation sizes (the batch,
/// row count, width and channel count at which a GEMM reaches half its rate) are measured the same way.
///
/// Threaded kernels are modelled as FFTW-style fork-join: the caller starts at once and the other workers join
/// after ``handOff`` seconds, so a job of `T` core-seconds split over `w` workers takes
/// ```
/// parallel(T, w) = T                                  (T ≤ handOff, or w = 1)
///                = handOff + (T − handOff) / cores(w)  (otherwise; cores(w) = w · parallelEfficiency)
/// ```
/// which grows with `T` and never jumps: more samples never cost less.
public struct CostModel: Sendable, Equatable, Codable {
    // MARK: - Dense: GEMM and GEMV (OpenBLAS)

    /// GEMM's asymptotic rate on all cores (FLOP/s), the batch and the matrix row count at which it reaches half of it.
    public var gemmPeak: Double, gemmHalfBatch: Double, gemmHalfRows: Double
    /// GEMV streaming a matrix that stays in the cache between applications, and memory bandwidth for
    /// anything larger than ``cacheBytes`` (bytes/s).
    public var gemvBandwidth: Double, bandwidth: Double
    /// Bytes that stay in the cache between applications: half the last level (``MachineProfile/caches``).
    public var cacheBytes: Double

    // MARK: - Sparse: CSR × dense (SparseKernels)

    /// Row-wise CSR (below 8 samples), one core: seconds per (non-zero, sample) and per (row, sample).
    public var spmvNonzero: Double, spmvRow: Double
    /// Blocked CSR (8 samples or more), one core: seconds per (non-zero, lane) and per scalar transposed into or
    /// out of a block (`(m + n)` per lane).
    public var spmmNonzero: Double, spmmTransposed: Double

    // MARK: - Direct kernels

    /// Speed-up per extra core of the threaded kernels (1 = perfect), between 0.5 and 1.
    public var parallelEfficiency: Double
    /// Row stencil, one core: seconds per multiply-add (taps × outputs) and per scalar read or written, the latter
    /// growing by `stencilRankFactor` per dimension after the first.
    public var stencilTap: Double, stencilIO: Double, stencilRankFactor: Double
    /// im2col + GEMM on all cores (FLOP/s), the GEMM width (samples × output pixels) and the thin dimension
    /// (`min(C_out/G, C_in/G·K)`) at half that rate, and the transposed direction's share of the rate.
    public var im2colRate: Double, im2colHalfWidth: Double, im2colHalfThin: Double, im2colTransposedFactor: Double
    /// Overlap-add FFT's rate (FLOP/s, counting `5·L·log₂L + 4·L` per block); the scalar reference loops' rate.
    public var fft: Double, reference: Double

    // MARK: - Calls, threads, precision

    /// A fixed cost per call, the extra cost of a call that runs on the pool's workers, and how long a worker
    /// takes to join a region (seconds).
    public var overhead: Double, threadedOverhead: Double, handOff: Double
    /// FP64 arithmetic rate as a fraction of FP32's (the measured peaks' ratio): the compute-bound rates of
    /// `Double` operators are scaled by it.
    public var fp64Factor: Double
    /// The measured FMA peaks on all cores, GFLOP/s (provenance for reports; the model uses ``fp64Factor``).
    public var peakFP32: Double, peakFP64: Double

    public init(gemmPeak: Double, gemmHalfBatch: Double, gemmHalfRows: Double, gemvBandwidth: Double, bandwidth: Double,
                cacheBytes: Double, spmvNonzero: Double, spmvRow: Double, spmmNonzero: Double, spmmTransposed: Double,
                parallelEfficiency: Double, stencilTap: Double, stencilIO: Double, stencilRankFactor: Double,
                im2colRate: Double, im2colHalfWidth: Double, im2colHalfThin: Double, im2colTransposedFactor: Double,
                fft: Double, reference: Double, overhead: Double, threadedOverhead: Double, handOff: Double,
                fp64Factor: Double, peakFP32: Double, peakFP64: Double) {
        (self.gemmPeak, self.gemmHalfBatch, self.gemmHalfRows) = (gemmPeak, gemmHalfBatch, gemmHalfRows)
        (self.gemvBandwidth, self.bandwidth, self.cacheBytes) = (gemvBandwidth, bandwidth, cacheBytes)
        (self.spmvNonzero, self.spmvRow, self.spmmNonzero, self.spmmTransposed) = (spmvNonzero, spmvRow, spmmNonzero, spmmTransposed)
        (self.parallelEfficiency, self.stencilTap, self.stencilIO, self.stencilRankFactor)
            = (parallelEfficiency, stencilTap, stencilIO, stencilRankFactor)
        (self.im2colRate, self.im2colHalfWidth, self.im2colHalfThin, self.im2colTransposedFactor)
            = (im2colRate, im2colHalfWidth, im2colHalfThin, im2colTransposedFactor)
        (self.fft, self.reference, self.overhead, self.threadedOverhead, self.handOff)
            = (fft, reference, overhead, threadedOverhead, handOff)
        (self.fp64Factor, self.peakFP32, self.peakFP64) = (fp64Factor, peakFP32, peakFP64)
    }

    /// Effective cores for `workers` threads.
    package func cores(_ workers: Int) -> Double { workers > 1 ? Double(workers) * parallelEfficiency : 1 }

    /// Seconds for `coreSeconds` of work split over `workers` threads that join ``handOff`` seconds late.
    package func parallel(_ coreSeconds: Double, workers: Int) -> Double {
        guard workers > 1, coreSeconds > handOff else { return coreSeconds }
        return handOff + (coreSeconds - handOff) / cores(workers)
    }

    /// The core-seconds of work that ``parallel(_:workers:)`` says take `seconds` on `workers` threads.
    package func coreSeconds(_ seconds: Double, workers: Int) -> Double {
        guard workers > 1, seconds > handOff else { return seconds }
        return handOff + (seconds - handOff) * cores(workers)
    }

    /// Seconds to stream `bytes` from memory when they exceed the cache, else 0.
    package func streaming(_ bytes: Double) -> Double { bytes > cacheBytes ? bytes / bandwidth : 0 }

    /// 1 for `Float`, ``fp64Factor`` for `Double`: the share of the FP32 rate a compute-bound kernel keeps.
    package func precision(_ scalarBytes: Int) -> Double { scalarBytes > 4 ? fp64Factor : 1 }

    /// Whether every rate is positive and finite and every factor in its range: what a wisdom file must hold
    /// to be believed.
    public var isPlausible: Bool {
        let positive = [gemmPeak, gemvBandwidth, bandwidth, cacheBytes, spmvNonzero, spmvRow, spmmNonzero, stencilTap,
                        stencilIO, im2colRate, fft, reference, peakFP32, peakFP64]
        let nonNegative = [gemmHalfBatch, gemmHalfRows, spmmTransposed, stencilRankFactor, im2colHalfWidth,
                           im2colHalfThin, overhead, threadedOverhead, handOff]
        return positive.allSatisfy { $0 > 0 && $0.isFinite } && nonNegative.allSatisfy { $0 >= 0 && $0.isFinite }
            && (0.5...1).contains(parallelEfficiency) && (0.01...1).contains(im2colTransposedFactor)
            && (0.01...2).contains(fp64Factor)
    }
}

extension CostModel {
    /// The model for this process: the rates cached in the wisdom for this machine and thread count, else
    /// measured now (once per process, about half a second) and saved there (``Planner``).
    public static var current: CostModel { Planner.rates() }
}
