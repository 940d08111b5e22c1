@testable import ConvAlgebra
import Testing
import _TestSupport

/// The O(nnz) typed builders give exactly the matrices of the one-enumeration path (same rows, columns,
/// values, in the same order), forward and transposed, dense and sparse, over random geometries.
@Suite struct MaterialisationKernelsTests {
    static func check<S: BLASScalar>(_: S.Type, seed: UInt64) throws {
        var rng = ConvolutionKernelsTests.Generator(seed: seed)
        for _ in 0..<40 {
            let g = try ConvolutionKernelsTests.randomGeometry(&rng)
            let w = (0..<g.weightCount).map { _ in S(Double.random(in: -1...1, using: &rng)) }
            let c = try Convolution(geometry: g, taps: w)
            let t = c.transposed
            #expect(try c.sparse(budget: .unlimited) == (try c.sparseByEnumeration(budget: .unlimited)), "\(g)")
            #expect(try t.sparse(budget: .unlimited) == (try t.sparseByEnumeration(budget: .unlimited)), "\(g)")
            #expect(try c.dense(budget: .unlimited) == (try c.denseByEnumeration(budget: .unlimited)), "\(g)")
            #expect(try t.dense(budget: .unlimited) == (try t.denseByEnumeration(budget: .unlimited)), "\(g)")
        }
    }

    @Test(arguments: [UInt64(21), 22])
    func matchesEnumerationFloat(seed: UInt64) throws { try Self.check(Float.self, seed: seed) }

    @Test func matchesEnumerationDouble() throws { try Self.check(Double.self, seed: 23) }

    @Test func refusesOverBudget() throws {
        let g = try ConvolutionGeometry.dsp(kernelLength: 9, inputLength: 4096, mode: .same)
        let c = try Convolution<Float>(geometry: g, taps: Array(repeating: 1, count: 9))
        #expect(throws: ConvAlgebraError.self) { _ = try c.dense(budget: MemoryBudget(bytes: 1000)) }
        #expect(throws: ConvAlgebraError.self) { _ = try c.sparse(budget: MemoryBudget(bytes: 1000)) }
    }

    /// Few terms, a huge index range: a stride of 2²⁷ over 2²⁸ samples keeps 2 outputs (2 terms), but the transpose's
    /// CSR matrix has 2²⁸ + 1 row offsets (2 GiB). Found by `make fuzz` (FuzzOperators, a layer's transpose applied in
    /// the dense form under a 16 MiB budget: `Fuzz/Regressions/operators/transposed-csr-row-offsets`); the builder
    /// checked only the terms, then allocated the offsets.
    @Test func checksTheRowOffsetsBeforeTheTerms() throws {
        let c = try Convolution<Float>(kernel: [1], inputLength: 1 << 28, mode: .valid, stride: 1 << 27)
        #expect(c.codomain.count == 2)
        let budget = MemoryBudget(bytes: 1 << 24)
        let e = expectThrows(.exceedsMemoryBudget) { try c.transposed.sparse(budget: budget) }
        #expect(e?.description.contains("row offsets") == true, "\(String(describing: e))")
        expectThrows(.exceedsMemoryBudget) { try c.sparse(budget: MemoryBudget(bytes: 16)) }  // 3 offsets of 8 bytes
        #expect(try c.sparse(budget: budget).nonzeroCount == 2)
        #expect(c.transposed.fit(.sparse, batch: 1, budget: budget) == .exceeds(((1 << 28) + 1) * 8))
    }
}
