@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing

/// Suite v1 matches BENCHMARKS.md's shapes, and the runner and report produce the CLI contract's fields.
@Suite struct SuiteV1Tests {
    @Test func everyCaseBuildsWithItsInputShape() throws {
        let cases = SuiteV1.cases()
        #expect(cases.count == 12 + 5 + 8 * SuiteV1.matrixBatches.count)
        #expect(Set(cases.compactMap(\.id)).count == 12 + 5 + 8)
        for c in cases {
            let op = try c.build()
            #expect(Array(c.inputShape.suffix(op.domain.rank)) == op.domain.dims, "\(c.id ?? c.op)")
            #expect(c.flops > 0)
        }
    }

    /// The suite-C operators have the sizes and densities BENCHMARKS.md lists.
    @Test func matrixOperatorsHaveTheListedSizes() throws {
        let expected: [String: (Int, Int)] = [
            "mx-1d": (1024, 1024), "mx-1d-s2": (512, 1024), "mx-2d": (1024, 1024), "mx-2d-mc": (4096, 4096),
            "mx-ct": (8192, 2048), "mx-small-mc": (1024, 1024), "mx-1d-long": (256, 256), "mx-fc": (32, 288),
        ]
        for (id, _, g, transposed) in SuiteV1.matrixOperators() {
            let size = transposed ? (g.domain.count, g.codomain.count) : (g.codomain.count, g.domain.count)
            #expect(size == expected[id]!, "\(id)")
            // The analytic non-zero count equals the CSR's.
            let c = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 1))
            #expect(g.termCount == (try c.sparse()).nonzeroCount, "\(id)")
        }
    }
}
