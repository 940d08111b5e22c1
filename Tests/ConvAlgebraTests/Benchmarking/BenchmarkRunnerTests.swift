@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing
import _TestSupport

/// The runner times every form of a case (min ≤ median ≤ max, materialisation timed apart for the matrix
/// forms), and its results fill the report's contract fields.
@Suite struct BenchmarkRunnerTests {
    /// Exactly `repeats` runs without a budget; with one, a fast case runs more (until 0.05 s, at most 100 × as
    /// many) and a slow one fewer, never under 3.
    @Test func repeatsFollowTheBudget() {
        #expect(BenchmarkRunner.repeatCount(repeats: 4, budget: .infinity, warmUp: 1e-6) == 4)
        #expect(BenchmarkRunner.repeatCount(repeats: 10, budget: 3, warmUp: 1e-3) == 50)
        #expect(BenchmarkRunner.repeatCount(repeats: 10, budget: 3, warmUp: 1e-7) == 1000)
        #expect(BenchmarkRunner.repeatCount(repeats: 10, budget: 3, warmUp: 0.02) == 10)
        #expect(BenchmarkRunner.repeatCount(repeats: 10, budget: 0.01, warmUp: 0.02) == 3)
        #expect(BenchmarkRunner.time(repeats: 4, budget: .infinity) {}.count == 4)
    }

    /// Each body runs as many times as it would alone, in blocks taken in turn, each block after a warm-up.
    @Test func formsAreTimedInBlocksTakenInTurn() {
        var calls = ""
        let timings = BenchmarkRunner.timeInBlocks(repeats: 4, budget: .infinity, [{ calls += "A" }, { calls += "B" }])
        #expect(BenchmarkRunner.blockRounds == 3)
        #expect(timings.map(\.wall.count) == [4, 4] && timings.map(\.cpu.count) == [4, 4])
        // The counting warm-ups, then blocks of 1, 1 and 2 runs, each after its warm-up.
        #expect(calls == "AB" + "AA" + "BB" + "AA" + "BB" + "AAA" + "BBB")
    }

    @Test func runnerAndReport() throws {
        PlannerFixture.install()
        let c = SuiteV1.suiteC(batches: [3]).first { $0.id == "mx-1d-long" }!
        let results = try BenchmarkRunner.run(c, forms: BenchmarkForm.allCases, repeats: 2)
        #expect(results.map(\.form) == BenchmarkForm.allCases)
        for r in results {
            #expect(r.min <= r.median && r.median <= r.max && r.min > 0)
            #expect((r.materialiseSeconds != nil) == (r.form == .dense || r.form == .sparse || (r.form == .auto && !(r.note ?? "").hasPrefix("direct"))))
        }
        let single = try BenchmarkRunner.run(c, forms: [.sparse], repeats: 2)[0]
        #expect(single.form == .sparse && single.storedEntries == results[2].storedEntries)
        let json = BenchmarkReport.json(results, threads: 2)
        for key in ["\"threads\": 2", "\"id\": \"mx-1d-long\"", "\"form\": \"sparse\"", "\"input_shape\": [3, 256]",
                    "\"dtype\": \"float32\"", "\"median\":", "\"materialise_seconds\": null", "\"gflops\":"] {
            #expect(json.contains(key), "\(key)")
        }
        #expect(BenchmarkReport.table(results).split(separator: "\n").count == 1 + results.count)
    }
}
