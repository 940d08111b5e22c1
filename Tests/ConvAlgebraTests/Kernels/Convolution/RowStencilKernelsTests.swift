@testable import ConvAlgebra
import _TestSupport
import Testing

/// The row stencil's forward (every row of an output row summed in registers) and its polyphase transpose,
/// against the reference loops, on the shapes its fast paths special-case: depthwise 3×3 (the 9-weight
/// register path), widths that are not a multiple of 8 (the overlapping last vector), stride 2 (even lanes),
/// stride 3 (gather), dilation, both tap-step signs, channel multipliers, rows copied with explicit zero
/// borders and rows with scalar borders. Outputs start NaN-filled so an unwritten element fails.
@Suite struct RowStencilKernelsTests {
    /// A depthwise (or few-channel) PyTorch-style 2-D geometry: offset `−pad`, tap step `+dilation`.
    static func depthwise(channels: Int, multiplier: Int = 1, perGroup: Int = 1, height: Int, width: Int,
                          kernel: Int = 3, stride: Int = 1, pad: Int = 1, dilation: Int = 1,
                          tapSign: Int = 1) throws -> ConvolutionGeometry {
        let size = [height, width]
        let out = size.map { ($0 + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1 }
        return try ConvolutionGeometry(
            inputSize: size, outputSize: out, kernelSize: [kernel, kernel], stride: [stride, stride],
            offset: [-pad, -pad], tapStep: [tapSign * dilation, tapSign * dilation],
            inChannels: channels * perGroup, outChannels: channels * multiplier, groups: channels, hasChannelAxis: true)
    }

    /// The shapes, each with whether its rows are copied with zero borders (checked, so both paths run).
    static func cases() throws -> [(ConvolutionGeometry, padded: Bool)] {
        [
            (try depthwise(channels: 3, height: 13, width: 13), true),
            (try depthwise(channels: 2, height: 9, width: 57), true),
            (try depthwise(channels: 2, height: 5, width: 7), true),            // shorter than a vector
            (try depthwise(channels: 2, height: 8, width: 8, pad: 0), false),   // no borders at all
            (try depthwise(channels: 3, height: 14, width: 21, stride: 2), true),
            (try depthwise(channels: 2, height: 11, width: 40, stride: 3), true),
            (try depthwise(channels: 2, height: 12, width: 33, pad: 2, dilation: 2), true),
            (try depthwise(channels: 2, height: 10, width: 29, tapSign: -1), true),
            (try depthwise(channels: 2, multiplier: 3, height: 9, width: 19), true),
            (try depthwise(channels: 2, multiplier: 2, height: 9, width: 23, kernel: 5, stride: 2, pad: 2), true),
            (try depthwise(channels: 2, perGroup: 3, height: 7, width: 27), true), // 3 input channels per group
            (try depthwise(channels: 1, height: 4, width: 401), false),          // borders · 160 < n: scalar borders
            (try depthwise(channels: 1, height: 260, width: 260), false),        // copy over 64 Ki scalars
            (try depthwise(channels: 1, height: 3, width: 601, stride: 2), false),
        ]
    }

    static func check<S: BLASScalar>(_: S.Type, _ g: ConvolutionGeometry, batch: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let w: [S] = randomScalars(g.weightCount, using: &rng)
        let x: [S] = randomScalars(batch * g.domain.count, using: &rng)
        let yBar: [S] = randomScalars(batch * g.codomain.count, using: &rng)
        var fast: [S] = nanFilled(count: yBar.count), ref = fast
        var fastT: [S] = nanFilled(count: x.count), refT = fastT
        ConvolutionPlan(g, weights: w, direction: .forward, family: .rowStencil).run(x, &fast, batch: batch)
        StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
        ConvolutionPlan(g, weights: w, direction: .transpose, family: .rowStencil).run(yBar, &fastT, batch: batch)
        StencilKernels.referenceTranspose(g, w, yBar, &refT, batch: batch)
        let tol = S.testAbsoluteTolerance * S(g.inChannelsPerGroup * g.kernelPlane)
        expectAllClose(fast, ref, rtol: 0, atol: tol, "forward on \(g), batch \(batch)")
        expectAllClose(fastT, refT, rtol: 0, atol: tol, "transpose on \(g), batch \(batch)")
    }

    @Test func casesTakeTheirPaths() throws {
        for (g, padded) in try Self.cases() {
            #expect(ConvolutionPlan<Float>.of(g).kernel.family == .rowStencil, "\(g)")
            #expect(RowStencilKernels.usesPaddedRows(RowPlan(g), channels: g.inChannelsPerGroup) == padded, "\(g)")
        }
    }

    @Test(arguments: [1, 2, 3])
    func fastEqualsReferenceFloat(batch: Int) throws {
        for (i, (g, _)) in try Self.cases().enumerated() { Self.check(Float.self, g, batch: batch, seed: UInt64(i)) }
    }

    @Test(arguments: [1, 2])
    func fastEqualsReferenceDouble(batch: Int) throws {
        for (i, (g, _)) in try Self.cases().enumerated() { Self.check(Double.self, g, batch: batch, seed: UInt64(100 + i)) }
    }

    /// Enough planes (≥ 128) that a job runs several and reuses its zero borders; stride 2 and the multiplier.
    @Test func manyPlanesPerJob() throws {
        Self.check(Float.self, try Self.depthwise(channels: 64, height: 10, width: 19), batch: 3, seed: 40)
        Self.check(Double.self, try Self.depthwise(channels: 48, multiplier: 2, height: 9, width: 17, stride: 2),
                   batch: 2, seed: 41)
    }

    /// The padding each row needs is exactly the reach of the taps past the row (zero when none is needed).
    @Test func rowPaddingIsTheTapsReach() throws {
        let g = try Self.depthwise(channels: 1, height: 12, width: 33, pad: 2, dilation: 2)
        let p = RowPlan(g)
        #expect(p.rowPadding.left == 2 && p.rowPadding.right == 2)
        let reversed = try Self.depthwise(channels: 1, height: 10, width: 29, tapSign: -1)
        // Offset −1, taps step −1: the row reads c = i − 1 − t, from −3 to 27.
        #expect(RowPlan(reversed).rowPadding.left == 3 && RowPlan(reversed).rowPadding.right == 0)
        #expect(RowPlan(try Self.depthwise(channels: 1, height: 8, width: 8, pad: 0)).rowPadding == (0, 0))
    }

    /// Through the public operators: direct = dense = sparse, and the dot test with the fast transpose.
    @Test(arguments: [1, 2])
    func depthwiseOperatorIdentities(stride: Int) throws {
        let g = try Self.depthwise(channels: 3, multiplier: 2, height: 9, width: 13, stride: stride)
        var rng = SplitMix64(seed: 9)
        let conv = try Convolution<Float>(geometry: g, taps: randomScalars(g.weightCount, using: &rng))
        try expectFormsAgree(conv)
        try expectDotTest(conv)
        let convD = try Convolution<Double>(geometry: g, taps: randomScalars(g.weightCount, using: &rng))
        try expectFormsAgree(convD)
        try expectDotTest(convD)
    }
}
