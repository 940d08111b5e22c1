import ConvAlgebraCore
import Dispatch

/// The machine's FP32 arithmetic peak as this process sees it, measured rather than assumed.
///
/// Every core runs 10 independent chains of 8-lane fused multiply-adds (AVX2 + FMA where the CPU has
/// them), enough chains to cover the FMA latency, so the rate is the FMA units' throughput:
/// `peak = cores · 160 FLOPs · rounds / seconds`. Nominal figures (cores × FLOP/cycle × clock) can be far
/// off in a virtual machine: on this project's KVM guest the nominal 2 × 32 × 3.2 GHz = 205 GFLOP/s
/// measures ~80 GFLOP/s (16 FLOP/cycle/core at ~2.5 GHz).
public enum MachinePeak {
    /// Best of `trials` probes of `rounds` rounds each, in GFLOP/s over all cores.
    /// - Complexity: `trials · cores · 160 · rounds` FLOPs (~0.1 s per trial at the defaults).
    public static func fp32GFLOPs(rounds: Int = 10_000_000, trials: Int = 5) -> Double {
        var best = 0.0
        for _ in 0..<max(trials, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            let flops = MicroGEMM.fmaProbe(rounds: rounds)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            best = max(best, flops / seconds / 1e9)
        }
        return best
    }
}
