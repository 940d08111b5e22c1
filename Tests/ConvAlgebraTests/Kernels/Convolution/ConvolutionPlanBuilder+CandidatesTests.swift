@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing
import _TestSupport

/// Every candidate the planner may time builds a plan of its family (and of its pinned tile) that computes what
/// the reference loops do, and the candidates' names (what wisdom files store) parse back.
@Suite struct ConvolutionPlanBuilderCandidatesTests {
    static let geometries: [(String, ConvolutionGeometry)] = [
        ("dsp 1-D, 129 taps", try! .dsp(kernelLength: 129, inputLength: 256, mode: .same)),
        ("3x3 16 channels", try! DLGeometry.convolution(inChannels: 16, outChannels: 16, inputSize: [8, 8], kernelSize: [3, 3],
                                                         stride: [1, 1], padding: [1, 1], dilation: [1, 1])),
        ("3x3 8 to 16, 20x20", try! DLGeometry.convolution(inChannels: 8, outChannels: 16, inputSize: [20, 20],
                                                            kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1])),
        ("3x3 stride 2, 40x40", try! DLGeometry.convolution(inChannels: 16, outChannels: 16, inputSize: [40, 40],
                                                             kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1])),
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
            #expect(Set(candidates).count == candidates.count, "\(name): no candidate twice")
            #expect(candidates.contains(.init(family: .rowStencil)) && candidates.contains(.init(family: .gemm)), "\(name)")
            #expect(candidates.contains(.init(family: .fft)) == (direction == .forward && g.rank == 1), "\(name)")
            var kernels = Set<String>()
            for c in candidates {
                let plan = ConvolutionPlan<Float>(g, weights: w, direction: direction, candidate: c)
                #expect(plan.kernel.family == c.family && plan.candidate == c, "\(name) \(c): \(plan.kernel)")
                if c.microKernel == false { #expect(!plan.microKernel, "\(name) \(c)") }
                switch (c.tile, plan.kernel) {
                case (.rows(let isa)?, .indirectRows(let b)), (.rows(let isa)?, .indirectRowsSubPixel(let b, _)):
                    #expect(b.isa == isa, "\(name) \(c)")
                case (.indirect6x16?, .indirect6x16), (.indirect6x16?, .indirectSubPixel6x16), (nil, _): break
                default: Issue.record("\(name) \(c) pins a tile but runs \(plan.kernel)")
                }
                kernels.insert("\(plan.kernel) \(plan.microKernel)")
                var y = [Float](repeating: .nan, count: 2 * outCount)
                plan.run(x, &y, batch: 2)
                expectAllClose(y, expected, rtol: 1e-4, atol: 1e-4, "\(name) \(c) \(direction)")
            }
            #expect(kernels.count == candidates.count, "\(name): every candidate runs its own kernel")
        }
    }

    /// Where the pixel-vector kernel is the default, the planner may also time it on the narrower accelerated
    /// paths and the 6 × 16 indirect kernel; nowhere else does it list a tile.
    @Test(arguments: [ConvolutionDirection.forward, .transpose])
    func pixelVectorTilesAreCandidatesWhereTheyRun(direction: ConvolutionDirection) throws {
        let g = Self.geometries[direction == .forward ? 2 : 3].1, current = MachineProfile.KernelISA.current
        let transposed = direction == .transpose
        let tiles = ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: 4).compactMap(\.tile)
        if MicroGEMM.isAccelerated, IndirectRowKernels.applies(g, isa: current, transposed: transposed) {
            #expect(tiles.contains(.indirect6x16))
            for isa in MachineProfile.KernelISA.supported where isa != .portable && isa < current {
                #expect(tiles.contains(.rows(isa)), "\(isa)")
            }
            let plan = ConvolutionPlan<Float>(g, weights: [Float](repeating: 1, count: g.weightCount), direction: direction)
            switch plan.kernel {
            case .indirectRows(let b) where !transposed: #expect(b.isa == current)
            case .indirectRowsSubPixel(let b, let phases) where transposed: #expect(b.isa == current && phases == 4)
            default: Issue.record("default: \(plan.kernel)")
            }
        } else {
            #expect(tiles.isEmpty)
        }
        #expect(ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: 8).allSatisfy { $0.tile == nil })
    }

    @Test func namesRoundTrip() {
        for c in [ConvolutionPlanBuilder.Candidate(family: .gemm), .init(family: .gemm, microKernel: false),
                  .init(family: .rowStencil), .init(family: .fft), .init(family: .gemm, tile: .indirect6x16)]
                 + MachineProfile.KernelISA.allCases.map({ .init(family: .gemm, tile: .rows($0)) }) {
            #expect(ConvolutionPlanBuilder.Candidate(c.description) == c, "\(c)")
        }
        for bad in ["", "gemm/", "rowStencil/openblas", "gemm/mkl", "warp", "gemm/openblas/x", "gemm/rows-",
                    "gemm/rows-sse", "fft/indirect6x16", "rowStencil/rows-avx512f"] {
            #expect(ConvolutionPlanBuilder.Candidate(bad) == nil, "\(bad)")
        }
    }

    /// Nothing to choose where no fast kernel runs: an empty plane, or a scalar type other than Float and Double.
    @Test func noCandidatesWithoutFastKernels() throws {
        let g = try #require(Self.geometries.first).1
        #expect(ConvolutionPlanBuilder.candidates(g, direction: .forward, scalarBytes: 2).isEmpty)
    }
}
