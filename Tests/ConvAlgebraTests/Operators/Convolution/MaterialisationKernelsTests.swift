@testable import ConvAlgebra
import Testing

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
}
