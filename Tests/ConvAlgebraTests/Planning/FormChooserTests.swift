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

    /// A conv of `c` channels to `c` channels over an `n × n` plane with a `k × k` kernel (zero padding `k/2`).
    static func conv(channels c: Int, plane n: Int, kernel k: Int) throws -> any LinearOperator<Float> {
        let g = try DLGeometry.convolution(inChannels: c, outChannels: c, inputSize: [n, n], kernelSize: [k, k],
                                           stride: [1, 1], padding: [k / 2, k / 2], dilation: [1, 1])
        return try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 3))
    }

    /// Where one form is an order of magnitude cheaper by construction, the chooser takes it. A 1×1 conv from
    /// 1024 channels to 1024 on one pixel is a fully dense 1024 × 1024 matrix: at batch 256 it is one GEMM,
    /// which any other form only imitates entry by entry. A 3×3 conv on a 64×64 single-channel plane has
    /// 9 non-zeros in a row of 4096, so the dense matrix does ~455× the useful work.
    @Test func anOrderOfMagnitudeCheaperFormWins() throws {
        let fullyDense = try Self.conv(channels: 1024, plane: 1, kernel: 1)
        #expect(fullyDense.matrixSize == (1024, 1024))
        let gemm = FormChooser.choose(fullyDense, batch: 256)
        #expect(gemm.form == .dense, "\(gemm.reason)")

        let stencil = try Self.conv(channels: 1, plane: 64, kernel: 3)
        #expect(stencil.matrixSize == (4096, 4096))
        let one = FormChooser.choose(stencil, batch: 1)
        #expect(one.form != .dense, "\(one.reason)")
    }

    /// More samples never cost less: every estimate is positive, finite and non-decreasing in the batch, and
    /// 4096 samples cost more than 16.
    ///
    /// Below 16 samples the model is not monotone yet (a known issue, reported): the direct estimate of the
    /// multi-channel convs is higher at one sample than at two (the one-sample path is not threaded in the
    /// model), and the sparse estimate of `mx-1d-s2` and `mx-small-mc` is higher at 7 samples than at 16 (the
    /// row-wise path against the blocked one). A real kernel could always pad the batch, so the model should not
    /// say that more samples are cheaper.
    @Test(arguments: SuiteV1.matrixOperators().map(\.id))
    func estimatesGrowWithTheBatch(id: String) throws {
        let op = try Self.op(id)
        func check(_ batches: [Int]) {
            let choices = batches.map { FormChooser.choose(op, batch: $0) }
            for form in [Form.direct, .dense, .sparse] {
                let t = choices.map { $0.estimates[form] ?? .nan }
                #expect(t.allSatisfy { $0 > 0 && $0.isFinite }, "\(id) \(form): \(t)")
                #expect(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(form) not monotone in the batch \(batches): \(t)")
                #expect(t.last! > t.first!, "\(id) \(form)")
            }
        }
        check([16, 64, 256, 1024, 4096])
        withKnownIssue("the cost model is not monotone in the batch below 16 samples", isIntermittent: true) {
            check([1, 2, 7, 16])
        }
    }

    /// More non-zeros in the same matrix size cost the sparse form more and the dense form nothing: the
    /// dense estimate depends on the matrix's size only, the sparse one grows with the kernel (3×3, 5×5, 7×7
    /// on the same plane, so the same 1024 × 1024 matrix holds 9, 25, 49 non-zeros a row).
    @Test(arguments: [1, 64])
    func estimatesFollowTheDensity(batch: Int) throws {
        let choices = try [3, 5, 7].map { FormChooser.choose(try Self.conv(channels: 1, plane: 32, kernel: $0), batch: batch) }
        let dense = choices.map { $0.estimates[.dense]! }, sparse = choices.map { $0.estimates[.sparse]! }
        #expect(dense[0] == dense[1] && dense[1] == dense[2], "\(dense)")
        #expect(sparse[0] < sparse[1] && sparse[1] < sparse[2], "\(sparse)")
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
