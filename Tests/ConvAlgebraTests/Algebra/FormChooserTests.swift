@testable import ConvAlgebra
import Testing

/// The cost model's picks on the clear-cut ends of the crossover study (BENCHMARKS.md suite C).
@Suite struct FormChooserTests {
    static func op(_ id: String) throws -> any LinearOperator<Float> {
        let (_, _, g, transposed) = SuiteV1.matrixOperators().first { $0.id == id }!
        let c = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 1))
        return transposed ? c.anyTransposed : c
    }

    /// A 3×3 single-channel conv over 32×32 has 9 non-zeros in a row of 1024: dense never wins.
    @Test(arguments: SuiteV1.matrixBatches)
    func verySparseIsNeverDense(batch: Int) throws {
        let choice = FormChooser.choose(try Self.op("mx-2d"), batch: batch)
        #expect(choice.form != .dense, "\(choice.reason)")
        #expect(choice.estimates[.dense]! > choice.estimates[.direct]!)
    }

    /// A conv that is a fully connected layer is a dense matrix: with a large batch, GEMM.
    @Test func fullyConnectedIsDenseAtLargeBatch() throws {
        let choice = FormChooser.choose(try Self.op("mx-fc"), batch: 4096)
        #expect(choice.form == .dense, "\(choice.reason)")
        #expect(choice.reason.contains("density 100"))
    }

    @Test func unknownOperatorsStayDirect() throws {
        let a = try Self.op("mx-1d")
        let composed = try Composed([a, a.anyTransposed])
        #expect(FormChooser.choose(composed, batch: 16).form == .direct)
    }
}
