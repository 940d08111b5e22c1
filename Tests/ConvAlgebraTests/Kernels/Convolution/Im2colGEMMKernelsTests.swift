@testable import ConvAlgebra
import Testing

/// The GEMM-based direct forms against the reference loops on the geometries their special paths take:
/// fully connected windows (one GEMM over the batch), pointwise, and the implicit GEMM's blocks crossing
/// sample boundaries (tiny planes, planes not a multiple of the 16-column tile, several groups, an odd
/// number of input channels split between the cores in the transpose). Outputs start NaN-filled.
@Suite struct Im2colGEMMKernelsTests {
    static func geometry(_ n: [Int], _ m: [Int], _ k: [Int], stride: [Int]? = nil, offset: [Int]? = nil,
                         cin: Int, cout: Int, groups: Int = 1) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: stride ?? n.map { _ in 1 },
                                offset: offset ?? n.map { _ in 0 }, tapStep: n.map { _ in 1 },
                                inChannels: cin, outChannels: cout, groups: groups, hasChannelAxis: true)
    }

    static let cases: [ConvolutionGeometry] = (try? [
        geometry([3, 3], [1, 1], [3, 3], cin: 32, cout: 32),                    // suite C's mx-fc
        geometry([5], [1], [5], cin: 6, cout: 4, groups: 2),                     // fully connected, grouped
        geometry([2, 3, 2], [1, 1, 1], [2, 3, 2], cin: 3, cout: 7),              // fully connected, 3-D
        geometry([4, 4], [4, 4], [3, 3], offset: [-1, -1], cin: 9, cout: 10),   // tiny planes: blocks span samples
        geometry([7, 5], [4, 3], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 5, cout: 6),  // M = 12
        geometry([9, 11], [9, 11], [3, 3], offset: [-1, -1], cin: 4, cout: 8, groups: 2),
        geometry([6, 6], [6, 6], [1, 1], cin: 7, cout: 5),                      // pointwise
        geometry([30], [15], [4], stride: [2], offset: [-1], cin: 1, cout: 16), // one input channel: one core
    ]) ?? []

    /// Indirect convolution (output planes ≥ 192, ≥ 16 output channels per group): padding on one or both
    /// sides, none (the input read in place), stride, dilation, the convolution form's negative tap step,
    /// groups, a channel count that leaves a partial 16-channel block, 1-D, 2-D and 3-D.
    static func tapped(_ n: [Int], _ m: [Int], _ k: [Int], stride: [Int]? = nil, offset: [Int], step: [Int]? = nil,
                       cin: Int, cout: Int, groups: Int = 1) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: stride ?? n.map { _ in 1 },
                                offset: offset, tapStep: step ?? n.map { _ in 1 },
                                inChannels: cin, outChannels: cout, groups: groups, hasChannelAxis: true)
    }

    static let indirectCases: [ConvolutionGeometry] = (try? [
        tapped([17, 13], [17, 13], [3, 3], offset: [-1, -1], cin: 5, cout: 16),
        tapped([30, 26], [15, 13], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 3, cout: 20),
        tapped([20, 20], [16, 16], [3, 3], offset: [0, 0], step: [2, 2], cin: 4, cout: 17),       // dilation, no padding
        tapped([16, 18], [16, 18], [3, 3], offset: [1, 1], step: [-1, -1], cin: 2, cout: 16),    // convolution form
        tapped([14, 15], [14, 15], [2, 4], offset: [0, -2], cin: 4, cout: 32, groups: 2),        // asymmetric padding
        tapped([300], [300], [5], offset: [-2], cin: 7, cout: 16),
        tapped([7, 7, 6], [7, 7, 6], [3, 3, 3], offset: [-1, -1, -1], cin: 2, cout: 16),
        tapped([200], [203], [4], offset: [-3], step: [1], cin: 3, cout: 24),                      // outputs past the input
    ]) ?? []

    /// The sub-pixel transpose (≥ 16 input channels per group, input planes ≥ 192 per phase): stride 2 with even
    /// and odd kernels, stride 3 with a kernel of 2 (a phase no tap reaches stays zero), dilation sharing a
    /// factor with the stride, the convolution form, groups, 1-D and 3-D.
    static let transposedCases: [ConvolutionGeometry] = (try? [
        tapped([28, 30], [14, 15], [4, 4], stride: [2, 2], offset: [-1, -1], cin: 16, cout: 6),
        tapped([29, 28], [15, 14], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 17, cout: 5),
        tapped([45, 42], [15, 14], [2, 2], stride: [3, 3], offset: [0, 0], cin: 16, cout: 3),
        tapped([40, 40], [20, 20], [3, 3], stride: [2, 2], offset: [-2, -2], step: [2, 2], cin: 16, cout: 4),
        tapped([30, 30], [15, 15], [3, 3], stride: [2, 2], offset: [1, 1], step: [-1, -1], cin: 20, cout: 7),
        tapped([800], [400], [5], stride: [2], offset: [-2], cin: 32, cout: 8, groups: 2),
        tapped([12, 12, 12], [6, 6, 6], [2, 2, 2], stride: [2, 2, 2], offset: [0, 0, 0], cin: 16, cout: 2),
    ]) ?? []

    @Test(arguments: transposedCases, [1, 2])
    func subPixelTranspose(_ g: ConvolutionGeometry, batch: Int) {
        #expect(IndirectConvolutionKernels.applies(g, transposed: true))
        Self.check(Float.self, g, batch: batch)
    }

    @Test(arguments: indirectCases, [1, 3])
    func indirect(_ g: ConvolutionGeometry, batch: Int) {
        #expect(IndirectConvolutionKernels.applies(g))
        Self.check(Float.self, g, batch: batch)
        Self.check(Double.self, g, batch: batch)
    }

    static func check<S: BLASScalar>(_: S.Type, _ g: ConvolutionGeometry, batch: Int) {
        var rng = ConvolutionKernelsTests.Generator(seed: UInt64(g.weightCount * 31 + batch))
        let w = (0..<g.weightCount).map { _ in S(Double.random(in: -1...1, using: &rng)) }
        let x = (0..<(batch * g.domain.count)).map { _ in S(Double.random(in: -1...1, using: &rng)) }
        let yBar = (0..<(batch * g.codomain.count)).map { _ in S(Double.random(in: -1...1, using: &rng)) }
        var fast = [S](repeating: .nan, count: yBar.count), ref = fast
        var fastT = [S](repeating: .nan, count: x.count), refT = fastT
        ConvolutionPlan(g, weights: w, direction: .forward, family: .gemm).run(x, &fast, batch: batch)
        StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
        ConvolutionPlan(g, weights: w, direction: .transpose, family: .gemm).run(yBar, &fastT, batch: batch)
        StencilKernels.referenceTranspose(g, w, yBar, &refT, batch: batch)
        let tol = S(S.ulpOfOne.squareRoot() < 1e-6 ? 1e-10 : 1e-4) * S(max(1, g.inChannelsPerGroup * g.kernelPlane))
        #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "forward on \(g), batch \(batch)")
        #expect(zip(fastT, refT).allSatisfy { abs($0 - $1) <= tol }, "transpose on \(g), batch \(batch)")
    }

    @Test(arguments: cases, [1, 2, 37])
    func float(_ g: ConvolutionGeometry, batch: Int) { Self.check(Float.self, g, batch: batch) }

    @Test(arguments: cases, [1, 37])
    func double(_ g: ConvolutionGeometry, batch: Int) { Self.check(Double.self, g, batch: batch) }

    @Test func fullyConnectedIsRecognised() {
        #expect(Self.cases.count == 8 && Self.indirectCases.count == 8 && Self.transposedCases.count == 7)
        #expect(Im2colGEMMKernels.isFullyConnected(Self.cases[0]))
        #expect(ConvolutionPlan<Float>.of(Self.cases[0]).reason.contains("fully connected"))
        #expect(!Im2colGEMMKernels.isFullyConnected(Self.cases[3]))
    }
}
