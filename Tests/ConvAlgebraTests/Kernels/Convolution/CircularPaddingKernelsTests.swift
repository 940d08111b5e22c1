@testable import ConvAlgebra
import _TestSupport
import Testing

/// Circular-boundary convolutions run as wrap-padding then a fast zero-boundary kernel (and the fast transpose
/// then a fold): checked against the reference loops over the wrapped index map on random geometries (1-D to
/// 3-D, strides, dilations of both signs, offsets that wrap on either side, groups, channel multipliers),
/// every fast kernel forced and the automatic choice, `Float` and `Double`. Outputs start NaN-filled.
@Suite struct CircularPaddingKernelsTests {
    static func randomCircularGeometry(_ rng: inout SplitMix64) throws -> ConvolutionGeometry {
        let rank = Int.random(in: 1...3, using: &rng)
        var n = [Int](), m = [Int](), k = [Int](), s = [Int](), o = [Int](), e = [Int]()
        for _ in 0..<rank {
            let len = Int.random(in: 1...(rank == 1 ? 40 : rank == 2 ? 12 : 5), using: &rng)
            let K = Int.random(in: 1...min(5, len + 2), using: &rng)
            let stride = Int.random(in: 1...3, using: &rng)
            let d = Int.random(in: 1...2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
            n.append(len); k.append(K); s.append(stride); e.append(d)
            o.append(Int.random(in: -len...len, using: &rng))
            m.append(Int.random(in: 1...(len / stride + 2), using: &rng))
        }
        let groups = [1, 1, 2, 3].randomElement(using: &rng)!
        let channelAxis = Bool.random(using: &rng)
        let cin = channelAxis ? groups * Int.random(in: 1...4, using: &rng) : 1
        let cout = channelAxis ? groups * Int.random(in: 1...6, using: &rng) : 1
        return try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: s, offset: o, tapStep: e,
                                       boundary: .circular, inChannels: cin, outChannels: cout,
                                       groups: channelAxis ? groups : 1, hasChannelAxis: channelAxis)
    }

    static func check<S: BLASScalar>(_: S.Type, seed: UInt64, kernel: ConvolutionKernel.Family?) throws {
        var rng = SplitMix64(seed: seed)
        var padded = 0
        for _ in 0..<50 {
            let g = try randomCircularGeometry(&rng)
            if CircularPaddingKernels(g) != nil { padded += 1 }
            let batch = Int.random(in: 1...3, using: &rng)
            let w: [S] = randomScalars(g.weightCount, using: &rng)
            let x: [S] = randomScalars(batch * g.domain.count, using: &rng)
            let yBar: [S] = randomScalars(batch * g.codomain.count, using: &rng)
            var fast: [S] = nanFilled(count: yBar.count), ref = fast
            var fastT: [S] = nanFilled(count: x.count), refT = fastT
            ConvolutionPlan(g, weights: w, direction: .forward, family: kernel).run(x, &fast, batch: batch)
            StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
            ConvolutionPlan(g, weights: w, direction: .transpose, family: kernel).run(yBar, &fastT, batch: batch)
            StencilKernels.referenceTranspose(g, w, yBar, &refT, batch: batch)
            let tol = S.testAbsoluteTolerance * S(g.inChannelsPerGroup * g.kernelPlane * 4)
            expectAllClose(fast, ref, rtol: 0, atol: tol, "forward \(kernel.map { "\($0)" } ?? "auto") on \(g), batch \(batch)")
            expectAllClose(fastT, refT, rtol: 0, atol: tol, "transpose \(kernel.map { "\($0)" } ?? "auto") on \(g), batch \(batch)")
        }
        // The cases must mostly take the padded route, or this suite would test the reference against itself.
        #expect(padded >= 40, "only \(padded) of 50 random circular geometries were wrap-padded")
    }

    @Test(arguments: [ConvolutionKernel.Family?.none, .rowStencil, .gemm], [UInt64(1), 2])
    func paddedEqualsReferenceFloat(kernel: ConvolutionKernel.Family?, seed: UInt64) throws {
        try Self.check(Float.self, seed: seed, kernel: kernel)
    }

    @Test(arguments: [ConvolutionKernel.Family?.none, .rowStencil, .gemm], [UInt64(3)])
    func paddedEqualsReferenceDouble(kernel: ConvolutionKernel.Family?, seed: UInt64) throws {
        try Self.check(Double.self, seed: seed, kernel: kernel)
    }

    /// The padded geometry reads only inside the padded input, and each padded sample copies the input sample
    /// the circular index map names.
    @Test func paddedRowsCopyTheWrappedSamples() throws {
        let g = try ConvolutionGeometry(inputSize: [5, 7], outputSize: [5, 7], kernelSize: [3, 3], stride: [1, 1],
                                        offset: [-1, -1], tapStep: [1, 1], boundary: .circular)
        let c = try #require(CircularPaddingKernels(g))
        #expect(c.padded.inputSize == [7, 9] && c.padded.offset == [0, 0] && c.padded.boundary == .zero)
        #expect(c.padding.lastSources == [6, 0, 1, 2, 3, 4, 5, 6, 0] && c.padding.run == (1, 7))
        #expect(c.padding.rowSources == [4, 0, 1, 2, 3, 4, 0].map { $0 * 7 })
        let wraps = try ConvolutionGeometry(inputSize: [4], outputSize: [4], kernelSize: [100], stride: [1],
                                            offset: [0], tapStep: [1], boundary: .circular)
        #expect(CircularPaddingKernels(wraps) == nil)
    }

    /// A circular-padded PyTorch-style layer: direct = dense = sparse, and the dot test through the fast path.
    @Test func circularLayerIdentities() throws {
        var rng = SplitMix64(seed: 21)
        let layer = try ConvolutionLayer<Double>(inputShape: [4, 9, 11], weightShape: [8, 2, 3, 3],
                                                 weight: randomScalars(8 * 2 * 9, using: &rng),
                                                 stride: [2, 1], padding: .symmetric([1, 2]), dilation: [1, 2],
                                                 groups: 2, paddingMode: .circular)
        #expect(CircularPaddingKernels(layer.geometry) != nil)
        try expectFormsAgree(layer.convolution)
        try expectDotTest(layer.convolution)
    }
}
