import ConvAlgebra
import Testing
import _TestSupport

@Suite struct ParallelTests {
    /// Each job runs exactly once, whether the loop is split across cores or not.
    @Test(arguments: [0, 1, 7, 64], [0, 1 << 20])
    func everyJobRunsOnce(jobs: Int, work: Int) {
        var counts = [Int](repeating: 0, count: jobs)
        counts.withUnsafeMutableBufferPointer { c in
            let base = c.baseAddress
            Parallel.forEach(jobs: jobs, work: work) { j in base![j] += 1 }
        }
        #expect(counts.allSatisfy { $0 == 1 })
    }
}
