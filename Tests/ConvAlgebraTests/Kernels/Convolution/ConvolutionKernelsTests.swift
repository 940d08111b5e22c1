@testable import ConvAlgebra
import Testing

/// Every fast direct kernel against the reference loops, over many random geometries: strides, dilations
/// (both tap-step signs), groups, padding offsets, output windows running past the input, 1-D/2-D/3-D,
/// `Float` and `Double`. Outputs start NaN-filled so an element a kernel never writes fails.
@Suite struct ConvolutionKernelsTests {
    typealias Generator = SplitMix64


    static func randomGeometry(_ rng: inout Generator) throws -> ConvolutionGeometry {
        let rank = Int.random(in: 1...3, using: &rng)
        var n = [Int](), m = [Int](), k = [Int](), s = [Int](), o = [Int](), e = [Int]()
        for _ in 0..<rank {
            let len = Int.random(in: 1...(rank == 1 ? 70 : rank == 2 ? 13 : 6), using: &rng)
            let K = Int.random(in: 1...min(5, len + 2), using: &rng)
            let stride = Int.random(in: 1...3, using: &rng)
            let d = Int.random(in: 1...2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
            let off = Int.random(in: -3...2, using: &rng)
            n.append(len); k.append(K); s.append(stride); e.append(d); o.append(off)
            m.append(Int.random(in: 1...(len / stride + 3), using: &rng))
        }
        let groups = [1, 1, 2, 3].randomElement(using: &rng)!
        let channelAxis = Bool.random(using: &rng)
        let cin = channelAxis ? groups * Int.random(in: 1...5, using: &rng) : 1
        let cout = channelAxis ? groups * Int.random(in: 1...6, using: &rng) : 1
        return try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: s, offset: o, tapStep: e,
                                       inChannels: cin, outChannels: cout, groups: channelAxis ? groups : 1,
                                       hasChannelAxis: channelAxis)
    }

    static func check<S: BLASScalar>(_: S.Type, seed: UInt64, kernel: ConvolutionKernel.Family) throws {
        var rng = Generator(seed: seed)
        for _ in 0..<60 {
            let g = try randomGeometry(&rng)
            let batch = Int.random(in: 1...3, using: &rng)
            let w = (0..<g.weightCount).map { _ in S(Double.random(in: -1...1, using: &rng)) }
            let x = (0..<(batch * g.domain.count)).map { _ in S(Double.random(in: -1...1, using: &rng)) }
            let yBar = (0..<(batch * g.codomain.count)).map { _ in S(Double.random(in: -1...1, using: &rng)) }
            var fast = [S](repeating: .nan, count: yBar.count), ref = fast
            var fastT = [S](repeating: .nan, count: x.count), refT = fastT
            ConvolutionPlan(g, weights: w, direction: .forward, family: kernel).run(x, &fast, batch: batch)
            StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
            ConvolutionPlan(g, weights: w, direction: .transpose, family: kernel).run(yBar, &fastT, batch: batch)
            StencilKernels.referenceTranspose(g, w, yBar, &refT, batch: batch)
            let tol = S(S.ulpOfOne.squareRoot() < 1e-6 ? 1e-10 : 1e-4) * S(max(1, g.inChannelsPerGroup * g.kernelPlane))
            // `allSatisfy(<=)` fails on a NaN (an unwritten element), which `max()` would skip.
            #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "forward \(kernel) differs on \(g), batch \(batch)")
            #expect(zip(fastT, refT).allSatisfy { abs($0 - $1) <= tol }, "transpose \(kernel) differs on \(g), batch \(batch)")
        }
    }

    @Test(arguments: [ConvolutionKernel.Family.rowStencil, .gemm], [UInt64(1), 2, 3])
    func fastEqualsReferenceFloat(kernel: ConvolutionKernel.Family, seed: UInt64) throws {
        try Self.check(Float.self, seed: seed, kernel: kernel)
    }

    @Test(arguments: [ConvolutionKernel.Family.rowStencil, .gemm], [UInt64(4), 5])
    func fastEqualsReferenceDouble(kernel: ConvolutionKernel.Family, seed: UInt64) throws {
        try Self.check(Double.self, seed: seed, kernel: kernel)
    }

    /// Larger planes exercise the 16-wide interior loops and multi-sample GEMM chunks.
    @Test(arguments: [ConvolutionKernel.Family.rowStencil, .gemm])
    func largePlanes(kernel: ConvolutionKernel.Family) throws {
        let cases: [ConvolutionGeometry] = [
            try .dsp(kernelLength: 9, inputLength: 300, mode: .same),
            try .dsp(kernelLength: 9, inputLength: 301, mode: .same, stride: 2),
            try .dsp(kernelLength: 5, inputLength: 200, mode: .full, dilation: 3),
            try ConvolutionGeometry(inputSize: [20, 37], outputSize: [20, 37], kernelSize: [3, 3], stride: [1, 1],
                                    offset: [-1, -1], tapStep: [1, 1], inChannels: 4, outChannels: 8, hasChannelAxis: true),
            try ConvolutionGeometry(inputSize: [21, 40], outputSize: [11, 20], kernelSize: [3, 3], stride: [2, 2],
                                    offset: [-1, -1], tapStep: [1, 1], inChannels: 6, outChannels: 6, groups: 6, hasChannelAxis: true),
            try ConvolutionGeometry(inputSize: [4, 4], outputSize: [4, 4], kernelSize: [3, 3], stride: [1, 1],
                                    offset: [-1, -1], tapStep: [1, 1], inChannels: 8, outChannels: 8, hasChannelAxis: true),
        ]
        for g in cases {
            let batch = 19
            var rng = Generator(seed: 7)
            let w = (0..<g.weightCount).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<(batch * g.domain.count)).map { _ in Float.random(in: -1...1, using: &rng) }
            let yBar = (0..<(batch * g.codomain.count)).map { _ in Float.random(in: -1...1, using: &rng) }
            var fast = [Float](repeating: .nan, count: yBar.count), ref = fast
            var fastT = [Float](repeating: .nan, count: x.count), refT = fastT
            ConvolutionPlan(g, weights: w, direction: .forward, family: kernel).run(x, &fast, batch: batch)
            StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
            ConvolutionPlan(g, weights: w, direction: .transpose, family: kernel).run(yBar, &fastT, batch: batch)
            StencilKernels.referenceTranspose(g, w, yBar, &refT, batch: batch)
            let tol: Float = 1e-4 * Float(g.inChannelsPerGroup * g.kernelPlane)
            #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "forward \(kernel) on \(g)")
            #expect(zip(fastT, refT).allSatisfy { abs($0 - $1) <= tol }, "transpose \(kernel) on \(g)")
        }
    }

    /// Overlap-add FFT against the reference on long kernels: every mode, dilation, both tap-step signs,
    /// inputs shorter and longer than one block; the error bound is relative to Σ|q| (inputs in [−1, 1]).
    @Test(arguments: [ConvolutionMode.full, .same, .valid])
    func fftEqualsReference(mode: ConvolutionMode) throws {
        var rng = Generator(seed: 11)
        for _ in 0..<8 {
            let K = Int.random(in: 40...300, using: &rng), d = Int.random(in: 1...2, using: &rng)
            let n = Int.random(in: ((K - 1) * d + 1)...5000, using: &rng)
            var g = try ConvolutionGeometry.dsp(kernelLength: K, inputLength: n, mode: mode, dilation: d)
            if Bool.random(using: &rng) {  // the correlation form (DL layers), with padding offsets
                g = try ConvolutionGeometry(inputSize: [n], outputSize: [n + Int.random(in: -20...20, using: &rng)],
                                            kernelSize: [K], stride: [1], offset: [Int.random(in: -K...K, using: &rng)],
                                            tapStep: [d])
            }
            let batch = Int.random(in: 1...3, using: &rng)
            let w = (0..<K).map { _ in Double.random(in: -1...1, using: &rng) }
            let x = (0..<(batch * n)).map { _ in Double.random(in: -1...1, using: &rng) }
            for useFloat in [false, true] {
                let tol = (useFloat ? 1e-4 : 1e-11) * w.map(abs).reduce(0, +)
                if useFloat {
                    let (wf, xf) = (w.map(Float.init), x.map(Float.init))
                    var fast = [Float](repeating: .nan, count: batch * g.outputPlane), ref = fast
                    ConvolutionPlan(g, weights: wf, direction: .forward, family: .fft).run(xf, &fast, batch: batch)
                    StencilKernels.referenceForward(g, wf, xf, &ref, batch: batch)
                    #expect(zip(fast, ref).allSatisfy { Double(abs($0 - $1)) <= tol }, "Float FFT on \(g)")
                } else {
                    var fast = [Double](repeating: .nan, count: batch * g.outputPlane), ref = fast
                    ConvolutionPlan(g, weights: w, direction: .forward, family: .fft).run(x, &fast, batch: batch)
                    StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
                    #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "Double FFT on \(g)")
                }
            }
        }
    }

    @Test func choiceFollowsChannels() throws {
        let long = try ConvolutionGeometry.dsp(kernelLength: 255, inputLength: 65536, mode: .full)
        #expect(ConvolutionPlan<Float>.of(long).kernel.family == .fft)
        let dsp = try ConvolutionGeometry.dsp(kernelLength: 9, inputLength: 64, mode: .same)
        #expect(ConvolutionPlan<Float>.of(dsp).kernel.family == .rowStencil)
        // Circular: wrap-padded, then the zero-boundary choice; a window wrapping round the input many times
        // (K = 100 over n = 4) keeps the reference loops.
        let circ = try ConvolutionGeometry.dsp(kernelLength: 9, inputLength: 64, mode: .circular)
        #expect(ConvolutionPlan<Float>.of(circ).kernel.family == .rowStencil)
        let wraps = try ConvolutionGeometry(inputSize: [4], outputSize: [4], kernelSize: [100], stride: [1], offset: [0],
                                            tapStep: [1], boundary: .circular)
        #expect(ConvolutionPlan<Float>.of(wraps).kernel.family == .reference)
        let mc = try ConvolutionGeometry(inputSize: [8, 8], outputSize: [8, 8], kernelSize: [3, 3], stride: [1, 1],
                                         offset: [-1, -1], tapStep: [1, 1], inChannels: 16, outChannels: 16, hasChannelAxis: true)
        #expect(ConvolutionPlan<Float>.of(mc).kernel.family == .gemm)
    }
}
