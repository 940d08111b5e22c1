@testable import ConvAlgebra
import Foundation
import Testing
import _TestSupport

/// The calibration turns any timings into a plausible model (a disturbed run gives a poor model, never an
/// invalid one), inverts the model exactly where it can, and the rates round-trip through JSON.
@Suite struct CostModelTests {
    static func peak() -> MachineProfile.Peak { MachineProfile.Peak(fp32GFLOPs: 80, fp64GFLOPs: 40) }

    @Test(arguments: [1e-9, 1e-6, 1e-3, 1.0, 0.0])
    func anyTimingsGiveAPlausibleModel(seconds: Double) {
        let m = CostModel.calibrated(stopwatch: .fixed([:], fallback: seconds), peak: Self.peak)
        #expect(m.isPlausible, "\(m)")
        #expect(m.fp64Factor == 0.5 && m.peakFP32 == 80)
        #expect(m.cacheBytes == Double(MachineProfile.current.caches.lastLevel.bytes / 2))
    }

    /// Two row-stencil timings separate the rate per tap from the rate per scalar read or written: 9 taps at
    /// 9·a + 2·b seconds a point and 3 taps at 3·a + 2·b give back a and b.
    @Test func theStencilRatesAreTheModelInverted() {
        let n = 32_768.0, a = 1e-10, b = 3e-10, overhead = 1e-6
        let m = CostModel.calibrated(stopwatch: .fixed([
            "calibrate/overhead": overhead,
            "calibrate/stencil9": overhead + n * (9 * a + 2 * b),
            "calibrate/stencil3": overhead + n * (3 * a + 2 * b),
        ], fallback: 1e-3), peak: Self.peak)
        #expect(abs(m.stencilTap - a) < a * 1e-6 && abs(m.stencilIO - b) < b * 1e-6, "\(m.stencilTap) \(m.stencilIO)")
    }

    /// GEMM at 256 and 4 samples: a GEMM whose rate is peak · B/(B + 8) gives back the half batch 8.
    @Test func theGEMMHalfBatchIsTheModelInverted() {
        let peak = 100e9, half = 8.0, overhead = 1e-15
        func t(_ B: Double, rows: Double) -> Double { overhead + 2 * B * rows * 512 / (peak * B / (B + half)) }
        let m = CostModel.calibrated(stopwatch: .fixed([
            "calibrate/overhead": overhead, "calibrate/gemm": t(256, rows: 512), "calibrate/gemm-thin-batch": t(4, rows: 512),
            "calibrate/gemm-few-rows": t(256, rows: 16),
        ], fallback: 1e-3), peak: Self.peak)
        #expect(abs(m.gemmHalfBatch - half) < 1e-6 && m.gemmHalfRows < 1e-6 && abs(m.gemmPeak - peak) < peak * 1e-6,
                "\(m.gemmHalfBatch) \(m.gemmHalfRows) \(m.gemmPeak)")
    }

    @Test func ratesRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(PlannerFixture.rates)
        #expect(try JSONDecoder().decode(CostModel.self, from: data) == PlannerFixture.rates)
    }

    /// Fork-join: more work never takes less time, a job shorter than the hand-off runs on the caller alone,
    /// and `coreSeconds` undoes `parallel`.
    @Test func parallelTimeIsMonotoneAndInvertible() {
        var m = FormChooserTests.typical
        m.handOff = 1e-5
        let work = [0, 1e-6, 1e-5, 2e-5, 1e-4, 1e-2]
        for w in [1, 2, 4] {
            let t = work.map { m.parallel($0, workers: w) }
            #expect(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 })
            for (c, s) in zip(work, t) { #expect(abs(m.coreSeconds(s, workers: w) - c) <= 1e-15 + c * 1e-12) }
        }
        #expect(m.parallel(5e-6, workers: 2) == 5e-6)
    }
}
