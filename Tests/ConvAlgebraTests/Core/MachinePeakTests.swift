@testable import ConvAlgebraCore
import Testing

/// The measured peak is a rate: positive and finite (no threshold: a loaded or virtual machine may be slow).
@Suite struct MachinePeakTests {
    @Test func probeReportsAPositiveRate() {
        let rate = MachinePeak.fp32GFLOPs(rounds: 10_000, trials: 2)
        #expect(rate > 0 && rate.isFinite, "\(rate)")
    }

    @Test func noTrialsStillRunsOne() {
        #expect(MachinePeak.fp32GFLOPs(rounds: 1000, trials: 0) > 0)
    }
}
