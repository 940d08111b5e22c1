@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing
import _TestSupport

/// The cost model's picks on the clear-cut ends of the crossover study (BENCHMARKS.md suite C), and its shape:
/// positive, finite, monotone in the batch and the density, for any machine's rates.
@Suite struct FormChooserTests {
    /// A machine given by its rates (a test input, as a fixture is: no test times anything): 100 GFLOP/s GEMM,
    /// 50 GB/s from the cache and 10 GB/s from memory, a sparse kernel at ~0.5 ns a non-zero.
    static let typical = CostModel(
        gemmPeak: 100e9, gemmHalfBatch: 8, gemmHalfRows: 16, gemvBandwidth: 50e9, bandwidth: 10e9, cacheBytes: 16_777_216,
        spmvNonzero: 0.5e-9, spmvRow: 2e-9, spmmNonzero: 0.05e-9, spmmTransposed: 0.3e-9, parallelEfficiency: 0.9,
        stencilTap: 0.1e-9, stencilIO: 0.2e-9, stencilRankFactor: 0.5, im2colRate: 50e9, im2colHalfWidth: 50,
        im2colHalfThin: 8, im2colTransposedFactor: 0.6, fft: 5e9, reference: 1e9, overhead: 3e-6, threadedOverhead: 4e-6,
        handOff: 4e-6, fp64Factor: 0.5, peakFP32: 100, peakFP64: 50)

    /// Machines unlike `typical`: slow memory and fast arithmetic, the reverse, a tiny cache and slow threads,
    /// and the model a calibration gives when every timing is the same (what a disturbed run might produce).
    static let machines: [CostModel] = {
        var memoryBound = typical, computeBound = typical, smallCache = typical
        memoryBound.bandwidth = 2e9; memoryBound.gemvBandwidth = 8e9; memoryBound.gemmPeak = 400e9; memoryBound.im2colRate = 300e9
        computeBound.gemmPeak = 10e9; computeBound.im2colRate = 5e9; computeBound.stencilTap = 1e-9; computeBound.spmmNonzero = 0.5e-9
        smallCache.cacheBytes = 262_144; smallCache.handOff = 200e-6; smallCache.threadedOverhead = 50e-6
        smallCache.parallelEfficiency = 0.5
        return [typical, memoryBound, computeBound, smallCache, PlannerFixture.rates]
    }()

    static func op(_ id: String) throws -> any LinearOperator<Float> {
        let (_, _, g, transposed) = SuiteV1.matrixOperators().first { $0.id == id }!
        let c = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 1))
        return transposed ? c.anyTransposed : c
    }

    /// A 3×3 single-channel conv over 32×32 has 9 non-zeros in a row of 1024: dense never wins.
    @Test(arguments: SuiteV1.matrixBatches)
    func verySparseIsNeverDense(batch: Int) throws {
        let choice = FormChooser.choose(try Self.op("mx-2d"), batch: batch, model: Self.typical)
        #expect(choice.form != .dense, "\(choice.reason)")
        #expect(choice.estimates[.dense]! > choice.estimates[.direct]!)
    }

    /// A conv that is a fully connected layer is a dense matrix: with a large batch, GEMM.
    @Test func fullyConnectedIsDenseAtLargeBatch() throws {
        let choice = FormChooser.choose(try Self.op("mx-fc"), batch: 4096, model: Self.typical)
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
        let gemm = FormChooser.choose(fullyDense, batch: 256, model: Self.typical)
        #expect(gemm.form == .dense, "\(gemm.reason)")

        let stencil = try Self.conv(channels: 1, plane: 64, kernel: 3)
        #expect(stencil.matrixSize == (4096, 4096))
        let one = FormChooser.choose(stencil, batch: 1, model: Self.typical)
        #expect(one.form != .dense, "\(one.reason)")
    }

    /// More samples never cost less: on every machine, every estimate is positive, finite and non-decreasing in
    /// the batch from 1 to 4096 (where a kernel switches path, the estimate takes the cheaper of this batch's path
    /// and the path at the switch, as a padded batch could), and 4096 samples cost more than one.
    @Test(arguments: SuiteV1.matrixOperators().map(\.id))
    func estimatesGrowWithTheBatch(id: String) throws {
        let op = try Self.op(id)
        let batches = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 256, 1024, 4096]
        for (i, model) in Self.machines.enumerated() {
            let estimates = batches.map { FormChooser.estimates(op, batch: $0, model: model) }
            for form in Form.concrete {
                let t = estimates.map { $0[form] ?? .nan }
                #expect(t.allSatisfy { $0 > 0 && $0.isFinite }, "\(id) \(form) on machine \(i): \(t)")
                #expect(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 }, "\(id) \(form) not monotone on machine \(i): \(t)")
                #expect(t.last! > t.first!, "\(id) \(form) on machine \(i)")
            }
        }
    }

    /// More non-zeros in the same matrix size cost the sparse form more and the dense form nothing: the
    /// dense estimate depends on the matrix's size only, the sparse one grows with the kernel (3×3, 5×5, 7×7
    /// on the same plane, so the same 1024 × 1024 matrix holds 9, 25, 49 non-zeros a row).
    @Test(arguments: [1, 64])
    func estimatesFollowTheDensity(batch: Int) throws {
        let choices = try [3, 5, 7].map {
            FormChooser.choose(try Self.conv(channels: 1, plane: 32, kernel: $0), batch: batch, model: Self.typical)
        }
        let dense = choices.map { $0.estimates[.dense]! }, sparse = choices.map { $0.estimates[.sparse]! }
        #expect(dense[0] == dense[1] && dense[1] == dense[2], "\(dense)")
        #expect(sparse[0] < sparse[1] && sparse[1] < sparse[2], "\(sparse)")
    }

    /// One sample is a GEMV: the matrix streamed once, far cheaper than a one-row GEMM at the GEMM rate would be,
    /// and the time grows with the batch.
    @Test func denseAtOneSampleStreamsTheMatrix() {
        let model = Self.typical
        let gemv = FormChooser.denseEstimate(m: 1024, n: 1024, batch: 1, scalarBytes: 4, model: model)
        let streamed: Double = 4 * 1024 * 1024 / model.gemvBandwidth + model.overhead
        #expect(abs(gemv - streamed) < 1e-12)
        let two = FormChooser.denseEstimate(m: 1024, n: 1024, batch: 2, scalarBytes: 4, model: model)
        #expect(gemv < two)
        // Larger than the cache: streamed from memory.
        let big = FormChooser.denseEstimate(m: 4096, n: 4096, batch: 1, scalarBytes: 4, model: model)
        let fromMemory: Double = 4 * 4096 * 4096 / model.bandwidth + model.overhead
        #expect(abs(big - fromMemory) < 1e-12)
    }

    /// The sparse estimate follows the kernel: linear in the batch on the row-wise path, and per block of
    /// ``SparseKernels/lanes(batch:columns:scalarBytes:)`` samples on the blocked one (a batch that rounds up
    /// to the same blocks costs the same).
    @Test func sparseFollowsTheKernel() {
        let model = Self.typical
        func t(_ b: Int) -> Double { FormChooser.sparseEstimate(m: 512, n: 1024, nnz: 4598, batch: b, scalarBytes: 4, model: model) }
        // Row-wise below 8 samples, never above the blocked kernel's 8 (a padded batch).
        #expect(t(1) <= t(2) && t(2) <= t(7) && t(1) < t(7))
        #expect(t(7) <= t(8))
        // 256 samples stay within the cache, so only the blocks count.
        let L = SparseKernels.lanes(batch: 256, columns: 1024, scalarBytes: 4)
        #expect(t(256 - L + 1) == t(256))
        #expect(t(256) > t(128))
        // Past the cache, streaming the batch adds to the blocks' time.
        #expect(t(4096) > 16 * (t(256) - model.overhead - model.threadedOverhead))
    }

    /// Thin GEMMs run the im2col direct form slower: at equal FLOPs, 8 output channels cost more per FLOP
    /// than 64.
    @Test func thinConvolutionsAreSlowerPerFlop() throws {
        func perFlop(_ c: Int) throws -> Double {
            let g = try DLGeometry.convolution(inChannels: c, outChannels: c, inputSize: [8, 8], kernelSize: [3, 3],
                                               stride: [1, 1], padding: [1, 1], dilation: [1, 1])
            let op = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 2))
            #expect(ConvolutionPlan<Float>.of(g).kernel.family == .gemm)
            return FormChooser.directEstimate(op, batch: 64, nnz: Double(g.termCount), model: Self.typical)
                / (64 * DLGeometry.nominalFlops(g))
        }
        #expect(try perFlop(16) > perFlop(64))
    }

    @Test func unknownOperatorsStayDirect() throws {
        let a = try Self.op("mx-1d")
        let composed = try Composed([a, a.anyTransposed])
        #expect(FormChooser.choose(composed, batch: 16, model: Self.typical).form == .direct)
    }
}
