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

    @Test func runnerAndReport() throws {
        PlannerFixture.install()
        let c = SuiteV1.suiteC(batches: [3]).first { $0.id == "mx-1d-long" }!
        var results = [BenchmarkResult]()
        for form in BenchmarkForm.allCases {
            let r = try BenchmarkRunner.run(c, form: form, repeats: 2)
            #expect(r.min <= r.median && r.median <= r.max && r.min > 0)
            #expect((r.materialiseSeconds != nil) == (form == .dense || form == .sparse || (form == .auto && !(r.note ?? "").hasPrefix("direct"))))
            results.append(r)
        }
        let json = BenchmarkReport.json(results, threads: 2)
        for key in ["\"threads\": 2", "\"id\": \"mx-1d-long\"", "\"form\": \"sparse\"", "\"input_shape\": [3, 256]",
                    "\"dtype\": \"float32\"", "\"median\":", "\"materialise_seconds\": null", "\"gflops\":"] {
            #expect(json.contains(key), "\(key)")
        }
        #expect(BenchmarkReport.table(results).split(separator: "\n").count == 1 + results.count)
    }
}
