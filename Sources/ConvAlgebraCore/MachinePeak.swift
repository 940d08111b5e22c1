import CMicroKernels
import Dispatch

/// The machine's FP32 and FP64 arithmetic peaks as this process sees them, measured rather than assumed.
///
/// Every core runs 10 independent chains of fused multiply-adds (`L` = 16 FP32 lanes where the CPU has
/// AVX-512F, 8 with AVX2 + FMA; half as many FP64 lanes), enough chains to cover the FMA latency, so the rate is
/// the FMA units' throughput: `peak = cores · FLOPs per round · rounds / seconds`, `20·L` FLOPs a round in FP32
/// (`10·L` in FP64). Nominal figures
/// (cores × FLOP/cycle × clock) can be far off in a virtual machine: on this project's KVM guest the nominal
/// 2 × 32 × 3.2 GHz = 205 GFLOP/s measures ~80 GFLOP/s (16 FLOP/cycle/core at ~2.5 GHz). The probes use
/// the widest FMAs the hardware has (`ca_fma_probe_lanes`), the width our widest kernels run: on cores with two
/// 512-bit FMA ports that is twice the 256-bit rate, on cores that split a 512-bit FMA (Zen 4) the same.
package enum MachinePeak {
    /// Best of `trials` FP32 probes of `rounds` rounds each, in GFLOP/s over `cores` cores (nil: every core the
    /// kernels use).
    /// - Complexity: `(trials + ½) · cores · 20·L · rounds` FLOPs (~0.1 s per trial at the defaults; the half: a warm-up).
    public static func fp32GFLOPs(rounds: Int = 10_000_000, trials: Int = 5, cores: Int? = nil) -> Double {
        best(of: trials, cores: cores, rounds: rounds, flopsPerRound: 20 * Double(ca_fma_probe_lanes())) { Double(ca_fma_probe($0)) }
    }

    /// Best of `trials` FP64 probes of `rounds` rounds each, in GFLOP/s over `cores` cores (nil: every core the
    /// kernels use).
    /// - Complexity: `(trials + ½) · cores · 10·L · rounds` FLOPs (~0.1 s per trial at the defaults; the half: a warm-up).
    public static func fp64GFLOPs(rounds: Int = 10_000_000, trials: Int = 5, cores: Int? = nil) -> Double {
        best(of: trials, cores: cores, rounds: rounds, flopsPerRound: 10 * Double(ca_fma_probe_lanes())) { ca_fma_probe_f64($0) }
    }

    /// Times `trials` runs of `probe(rounds)` on `cores` threads at once; the best rate in GFLOP/s.
    ///
    /// A run counts the smaller of its wall time and the process CPU time it used divided by the threads (as
    /// ``Stopwatch`` does): on a busy machine the wall clock also counts the time other processes held our cores,
    /// which would report the share of the machine we got rather than what its FMA units deliver.
    private static func best(of trials: Int, cores: Int?, rounds: Int, flopsPerRound: Double,
                             _ probe: (Int) -> Double) -> Double {
        let threads = max(cores ?? MachineProfile.current.threads, 1)
        // One untimed run first: on an idle KVM guest the other cores' vCPUs sleep and the pool's workers are
        // parked, and a first short trial there ran on one core (calibrate on the idle Zen 4 wrote 114.5 GFLOP/s
        // FP32 for 2 cores, half of what `machine --peak` and later calibrations measured).
        Parallel.forEach(jobs: threads, work: rounds, threshold: 0) { _ in
            if probe(max(rounds / 2, 1)).isNaN { print("") }
        }
        var best = 0.0
        for _ in 0..<max(trials, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = ProcessClock.seconds()
            Parallel.forEach(jobs: threads, work: rounds, threshold: 0) { _ in
                if probe(rounds).isNaN { print("") }  // keeps the result observable
            }
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let cpu = (ProcessClock.seconds() - cpuStart) / Double(threads)
            let seconds = cpu > 0 ? min(wall, cpu) : wall
            best = max(best, flopsPerRound * Double(rounds) * Double(threads) / seconds / 1e9)
        }
        return best
    }
}
