import ArgumentParser
import ConvAlgebra
import ConvAlgebraBenchmarking
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `convalgebra calibrate [--suite v1] [--cases IDS] [--wisdom FILE] [--rates-only]`: fills the wisdom file for
/// this machine (FFTW's `fftw-wisdom`): measures the cost model's rates, then times every candidate form and
/// kernel of the suite's linear cases on their real shapes and remembers the fastest (``Planner``). `auto`
/// and the direct kernels of later runs on the same machine and thread count use it.
///
/// Suite C's cases get every form measured; the direct-only cases of suites A and B (convolutions) get their
/// direct kernels measured; pooling and up-sampling cases have no candidates and are skipped. One line per plan.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine's rates and the fastest form and kernel of a suite's cases into the wisdom file.")

    @Option(help: "The suite whose cases to measure (v1).")
    var suite = "v1"

    @Option(help: "Only these cases, comma separated: ids (mx-1d) or suite letters (A, B, C); default C.")
    var cases: String?

    @Option(help: ArgumentHelp("The wisdom file (default: $CONVALGEBRA_WISDOM, else $XDG_CACHE_HOME or ~/.cache /convalgebra/wisdom.json).",
                               valueName: "file"))
    var wisdom: String?

    @Flag(name: .customLong("rates-only"), help: "Measure the cost model's rates only, no suite case.")
    var ratesOnly = false

    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    func run() throws {
        try MemoryBudgetOption.apply(memoryBudget)
        guard suite == "v1" else { throw ConvAlgebraError.invalidArgument("unknown suite '\(suite)' (known: v1)") }
        if let wisdom { Planner.wisdomPath = wisdom }
        // More runs than a plan measured in passing: calibration is done once per machine, on purpose.
        Planner.stopwatch = .live(repeats: 15, budget: 1, settle: PlanTiming.settleBLAS)
        guard !Planner.wisdomPath.isEmpty else {
            throw ConvAlgebraError.invalidArgument("no wisdom file: give --wisdom FILE (or set CONVALGEBRA_WISDOM or HOME)")
        }
        let wanted = (cases ?? "C").split(separator: ",").map(String.init)
        try BenchLimits.checkCases(wanted, known: SuiteV1.cases().map { ($0.id, $0.suite) })
        let profile = MachineProfile.current
        print("machine: \(profile.fingerprint), threads \(profile.threads)")
        // Timings count CPU time where the wall time waited (Stopwatch.live), which bounds what a load does to them,
        // but a multi-threaded candidate still looks up to `threads` times slower: say so.
        var load = [0.0]
        if getloadavg(&load, 1) == 1, load[0] > Double(profile.threads) {
            FileHandleText.standardError("warning: load average \(fixed(load[0])) on \(profile.threads) cores: the rates and "
                                         + "plans measured now may be pessimistic; recalibrate on an idle machine\n")
        }
        let rates = Planner.recalibrate(save: false)
        print("rates: FMA peak \(fixed(rates.peakFP32)) GFLOP/s FP32, GEMM \(fixed(rates.gemmPeak / 1e9)) GFLOP/s, "
              + "memory \(fixed(rates.bandwidth / 1e9)) GB/s, cache \(fixed(rates.gemvBandwidth / 1e9)) GB/s, "
              + "im2col \(fixed(rates.im2colRate / 1e9)) GFLOP/s")
        if !ratesOnly {
            for c in SuiteV1.cases() where wanted.contains(where: { c.id == $0 || c.suite == $0 }) {
                guard case .linear(let op) = try c.build(), FormChooser.storedEntries(op) != nil else { continue }
                let batch = c.inputShape.dropLast(op.domain.rank).reduce(1, *)
                let forms: Set<Form> = c.forms.contains(.auto) ? Set(Form.concrete) : [.direct]
                let decision = Planner.measureAndRemember(op, batch: batch, forms: forms)
                print("\(c.id ?? c.op) B=\(batch): \(decision)")
            }
        }
        try Planner.saveWisdom()
        print("wisdom: \(Planner.wisdomPath)")
    }

    private func fixed(_ x: Double) -> String { String(Double(Int((x * 10).rounded())) / 10) }
}
