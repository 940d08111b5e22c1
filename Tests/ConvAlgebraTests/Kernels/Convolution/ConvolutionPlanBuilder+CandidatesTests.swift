@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing
import _TestSupport

/// Every candidate the planner may time builds a plan of its family that computes what the reference loops do,
/// and the candidates' names (what wisdom files store) parse back.
@Suite struct ConvolutionPlanBuilderCandidatesTests {
    static let geometries: [(String, ConvolutionGeometry)] = [
        ("dsp 1-D, 129 taps", try! .dsp(kernelLength: 129, inputLength: 256, mode: .same)),
        ("3x3 16 channels", try! DLGeometry.convolution(inChannels: 16, outChannels: 16, inputSize: [8, 8], kernelSize: [3, 3],
                                                         stride: [1, 1], padding: [1, 1], dilation: [1, 1])),
        ("4x4 stride 2", try! DLGeometry.convolution(inChannels: 4, outChannels: 8, inputSize: [10, 10], kernelSize: [4, 4],
                                                      stride: [2, 2], padding: [1, 1], dilation: [1, 1])),
        ("fully connected", try! DLGeometry.convolution(inChannels: 8, outChannels: 4, inputSize: [3, 3], kernelSize: [3, 3],
                                                         stride: [1, 1], padding: [0, 0], dilation: [1, 1])),
    ]

    @Test(arguments: [ConvolutionDirection.forward, .transpose])
    func everyCandidateMatchesTheReference(direction: ConvolutionDirection) {
        for (name, g) in Self.geometries {
            let w: [Float] = BenchmarkData.uniform(g.weightCount, seed: 3)
            let (inCount, outCount) = direction == .forward ? (g.domain.count, g.codomain.count) : (g.codomain.count, g.domain.count)
            let x: [Float] = BenchmarkData.uniform(2 * inCount, seed: 4)
            var expected = [Float](repeating: .nan, count: 2 * outCount)
            ConvolutionPlan<Float>(g, weights: w, direction: direction, family: .reference).run(x, &expected, batch: 2)
            let candidates = ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: 4)
            #expect(candidates.contains(.init(family: .rowStencil)) && candidates.contains(.init(family: .gemm)), "\(name)")
            #expect(candidates.contains(.init(family: .fft)) == (direction == .forward && g.rank == 1), "\(name)")
            for c in candidates {
                let plan = ConvolutionPlan<Float>(g, weights: w, direction: direction, candidate: c)
                #expect(plan.kernel.family == c.family && plan.candidate == c, "\(name) \(c): \(plan.kernel)")
                if c.microKernel == false { #expect(!plan.microKernel, "\(name) \(c)") }
                var y = [Float](repeating: .nan, count: 2 * outCount)
                plan.run(x, &y, batch: 2)
                expectAllClose(y, expected, rtol: 1e-4, atol: 1e-4, "\(name) \(c) \(direction)")
            }
        }
    }

    @Test func namesRoundTrip() {
        for c in [ConvolutionPlanBuilder.Candidate(family: .gemm), .init(family: .gemm, microKernel: false),
                  .init(family: .rowStencil), .init(family: .fft)] {
            #expect(ConvolutionPlanBuilder.Candidate(c.description) == c)
        }
        for bad in ["", "gemm/", "rowStencil/openblas", "gemm/mkl", "warp", "gemm/openblas/x"] {
            #expect(ConvolutionPlanBuilder.Candidate(bad) == nil, "\(bad)")
        }
    }

    /// Nothing to choose where no fast kernel runs: an empty plane, or a scalar type other than Float and Double.
    @Test func noCandidatesWithoutFastKernels() throws {
        let g = try #require(Self.geometries.first).1
        #expect(ConvolutionPlanBuilder.candidates(g, direction: .forward, scalarBytes: 2).isEmpty)
    }
}
