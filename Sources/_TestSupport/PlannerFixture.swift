import ConvAlgebra
import Foundation

/// Planner state for tests that must not time anything: rates from a calibration whose every timing is one
/// fixed number (deterministic, plausible, nothing run), held by the planner or written to a wisdom file that
/// the CLI tests hand the executable, so no test process spends seconds measuring the machine.
public enum PlannerFixture {
    /// ``CostModel/calibrated(profile:stopwatch:peak:)`` with every micro-benchmark answering 0.1 ms.
    public static let rates = CostModel.calibrated(stopwatch: .fixed([:], fallback: 1e-4),
                                                   peak: { MachineProfile.Peak(fp32GFLOPs: 100, fp64GFLOPs: 50) })

    /// Makes the planner use ``rates`` (never measuring) for the rest of the process.
    public static func install() { Planner.hold(rates) }

    /// A wisdom file holding ``rates`` for this machine and thread count, written once per test process.
    public static let wisdomFile: String = {
        let path = NSTemporaryDirectory() + "convalgebra-test-wisdom-\(UUID().uuidString).json"
        var w = Wisdom()
        w.record(rates, machine: MachineProfile.current.fingerprint, threads: MachineProfile.current.threads)
        try? WisdomStore.save(w, to: path)
        return path
    }()
}
