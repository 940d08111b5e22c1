@testable import ConvAlgebra
import ConvAlgebraBenchmarking
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

    /// Every estimate is positive and finite at every suite-C point, and the pick is the cheapest estimate.
    @Test(arguments: SuiteV1.matrixOperators().map(\.id))
    func picksTheCheapestEstimate(id: String) throws {
        let op = try Self.op(id)
        for batch in SuiteV1.matrixBatches {
            let choice = FormChooser.choose(op, batch: batch)
            #expect(choice.estimates.count == 3 && choice.estimates.values.allSatisfy { $0 > 0 && $0.isFinite }, "\(id) B=\(batch)")
            #expect(choice.estimates[choice.form]! == choice.estimates.values.min()!, "\(id) B=\(batch): \(choice.reason)")
        }
    }

    /// One sample is a GEMV: the matrix streamed once, far cheaper than a one-row GEMM at the GEMM rate would be,
    /// and the time grows with the batch.
    @Test func denseAtOneSampleStreamsTheMatrix() {
        let model = FormChooser.CostModel.measured
        let gemv = FormChooser.denseEstimate(m: 1024, n: 1024, batch: 1, scalarBytes: 4, model: model)
        #expect(abs(gemv - (4 * 1024 * 1024 / model.gemvBandwidth + model.overhead)) < 1e-12)
        let two = FormChooser.denseEstimate(m: 1024, n: 1024, batch: 2, scalarBytes: 4, model: model)
        #expect(gemv < two)
        // Larger than the cache: streamed from memory.
        let big = FormChooser.denseEstimate(m: 4096, n: 4096, batch: 1, scalarBytes: 4, model: model)
        #expect(abs(big - (4 * 4096 * 4096 / model.bandwidth + model.overhead)) < 1e-12)
    }

    /// The sparse estimate follows the kernel: linear in the batch on the row-wise path, and per block of
    /// ``SparseKernels/lanes(batch:columns:scalarBytes:)`` samples on the blocked one (a batch that rounds up
    /// to the same blocks costs the same).
    @Test func sparseFollowsTheKernel() {
        let model = FormChooser.CostModel.measured
        func t(_ b: Int) -> Double { FormChooser.sparseEstimate(m: 512, n: 1024, nnz: 4598, batch: b, scalarBytes: 4, model: model) }
        #expect(t(1) < t(2) && t(2) < t(7))
        // 256 samples stay within the cache, so only the blocks count.
        let L = SparseKernels.lanes(batch: 256, columns: 1024, scalarBytes: 4)
        #expect(t(256 - L + 1) == t(256))
        #expect(t(256) > t(128))
        // Past the cache, streaming the batch adds to the blocks' time.
        #expect(t(4096) > 16 * (t(256) - FormChooser.CostModel.measured.overhead - FormChooser.CostModel.measured.threadedOverhead))
    }

    /// Thin GEMMs run the im2col direct form slower: at equal FLOPs, 8 output channels cost more per FLOP
    /// than 64.
    @Test func thinConvolutionsAreSlowerPerFlop() throws {
        func perFlop(_ c: Int) throws -> Double {
            let g = try DLGeometry.convolution(inChannels: c, outChannels: c, inputSize: [8, 8], kernelSize: [3, 3],
                                               stride: [1, 1], padding: [1, 1], dilation: [1, 1])
            let op = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 2))
            #expect(ConvolutionPlan<Float>.of(g).kernel.family == .gemm)
            return FormChooser.directEstimate(op, batch: 64, nnz: Double(g.termCount), model: .measured)
                / (64 * DLGeometry.nominalFlops(g))
        }
        #expect(try perFlop(16) > perFlop(64))
    }

    @Test func unknownOperatorsStayDirect() throws {
        let a = try Self.op("mx-1d")
        let composed = try Composed([a, a.anyTransposed])
        #expect(FormChooser.choose(composed, batch: 16).form == .direct)
    }
}
