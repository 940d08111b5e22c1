@testable import ConvAlgebra
import Dispatch
import Testing

extension ConvolutionPlan {
    /// The plan of `g` with zero weights (the choice does not depend on their values).
    static func of(_ g: ConvolutionGeometry, _ direction: ConvolutionDirection = .forward) -> ConvolutionPlan<S> {
        ConvolutionPlan(g, weights: [S](repeating: 0, count: g.weightCount), direction: direction)
    }
}

/// The route each representative case takes, read from its plan (the one place the kernel is chosen), that an
/// operator builds its plan once and shares it across threads, and that the plans agree with the reference loops.
@Suite struct ConvolutionPlanTests {
    static func conv(_ n: [Int], _ m: [Int], _ k: [Int], stride: [Int]? = nil, offset: [Int], cin: Int, cout: Int,
                     groups: Int = 1, boundary: ConvolutionGeometry.Boundary = .zero) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: stride ?? n.map { _ in 1 },
                                offset: offset, tapStep: n.map { _ in 1 }, boundary: boundary,
                                inChannels: cin, outChannels: cout, groups: groups, hasChannelAxis: true)
    }

    /// 3×3, 64 → 64 channels on 56×56 (suite v1's c2d-r1).
    static func resnet(boundary: ConvolutionGeometry.Boundary = .zero) throws -> ConvolutionGeometry {
        try conv([56, 56], [56, 56], [3, 3], offset: [-1, -1], cin: 64, cout: 64, boundary: boundary)
    }

    @Test func routes() throws {
        let micro = ConvolutionPlan<Float>.of(try Self.resnet()).microKernel
        #expect(micro == MicroGEMM.isAccelerated)
        let blas: ConvolutionKernel = .im2colGEMM(.openBLAS)
        let rows: ConvolutionKernel = .indirectRows(RowKernelBlocking(isa: .current, caches: MachineProfile.current.caches,
                                                                      geometry: try Self.resnet()))
        let strided = try Self.conv([56, 56], [28, 28], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 64, cout: 64)
        let subPixel: ConvolutionKernel = .indirectRowsSubPixel(
            IndirectRowKernels.SubPixel(strided, [Float](repeating: 0, count: strided.weightCount)).blocking, phases: 4)
        let table: [(String, ConvolutionGeometry, ConvolutionDirection, ConvolutionKernel)] = [
            ("3×3 64→64 on 56×56", try Self.resnet(), .forward, micro ? rows : blas),
            ("its transpose, stride 2", strided, .transpose, micro ? subPixel : blas),
            ("depthwise 3×3", try Self.conv([56, 56], [56, 56], [3, 3], offset: [-1, -1], cin: 32, cout: 32, groups: 32),
             .forward, .rowStencil3Taps(stride: 1)),
            ("long 1-D single-channel kernel", try .dsp(kernelLength: 255, inputLength: 65536, mode: .full),
             .forward, .fftOverlapAdd(transform: 4096, block: 3842)),
            ("window = whole input", try Self.conv([8, 8], [1, 1], [8, 8], offset: [0, 0], cin: 16, cout: 32),
             .forward, .fullyConnectedGEMM(micro ? .panelGEMM : .openBLAS)),
            ("1×1", try Self.conv([56, 56], [56, 56], [1, 1], offset: [0, 0], cin: 64, cout: 64),
             .forward, .pointwiseGEMM(micro ? .microKernel6x16 : .openBLAS)),
            ("circular 1-D", try .dsp(kernelLength: 9, inputLength: 64, mode: .circular),
             .forward, .circularWrapPad(inner: .rowStencil(taps: 9, stride: 1))),
            ("circular 3×3 64→64", try Self.resnet(boundary: .circular),
             .forward, .circularWrapPad(inner: micro ? rows : blas)),
        ]
        for (name, g, direction, expected) in table {
            let plan = ConvolutionPlan<Float>.of(g, direction)
            #expect(plan.kernel == expected, "\(name): \(plan.kernel.name) — \(plan.reason)")
        }
        // Double precision: the BLAS path whatever the CPU.
        #expect(ConvolutionPlan<Double>.of(try Self.resnet()).kernel == .im2colGEMM(.openBLAS))
        #expect(!ConvolutionPlan<Double>.of(try Self.resnet()).microKernel)
    }

    @Test func builtOnceAndShared() throws {
        let g = try Self.conv([12, 12], [12, 12], [3, 3], offset: [-1, -1], cin: 16, cout: 16)
        let w = (0..<g.weightCount).map { Float($0 % 7) - 3 }
        let conv = try Convolution(geometry: g, taps: w)
        let x = try Tensor(shape: [2] + g.domain.dims, scalars: (0..<(2 * g.domain.count)).map { Float($0 % 5) })
        let first = try conv.apply(x), second = try conv.apply(x)
        #expect(first == second)
        #expect(conv.plans.count == 1)
        #expect(conv.directPlan === conv.directPlan)
        // The transpose shares the cache: its plan is the transpose-direction plan of the same geometry.
        let t = conv.transposed
        #expect(t.plans === conv.plans)
        #expect(t.directPlan.direction == .transpose && t.directPlan.geometry == g)
        #expect(conv.plans.count == 2)
        #expect(t.transposed.directPlan === conv.directPlan)
        // A copy is the same operator and shares the plans; equality ignores them.
        let copy = conv
        #expect(copy.directPlan === conv.directPlan)
        let same = try Convolution(geometry: g, taps: w)
        #expect(same == conv)
    }

    @Test func layersShareTheirPlans() throws {
        let layer = try ConvolutionLayer<Float>(inputShape: [4, 10, 10], weightShape: [8, 4, 3, 3],
                                                weight: (0..<288).map { Float($0 % 5) }, padding: .same)
        #expect(layer.convolution.directPlan === layer.convolution.directPlan)
        let tlayer = try TransposedConvolutionLayer<Float>(inputShape: [4, 10, 10], weightShape: [4, 8, 3, 3],
                                                           weight: (0..<288).map { Float($0 % 5) }, stride: [2, 2])
        #expect(tlayer.linear.directPlan === tlayer.linear.directPlan)
        #expect(tlayer.linear.directPlan.direction == .transpose)
        #expect(tlayer.linear.transposed.directPlan === tlayer.forwardConvolution.directPlan)
    }

    @Test(arguments: [false, true])
    func concurrentAppliesAreBitIdentical(transposed: Bool) throws {
        let g = try Self.conv([20, 20], [20, 20], [3, 3], offset: [-1, -1], cin: 32, cout: 32)
        let w = (0..<g.weightCount).map { Float(($0 * 37) % 101) / 50 - 1 }
        let conv = try Convolution(geometry: g, taps: w)
        let op: any LinearOperator<Float> = transposed ? conv.transposed : conv
        let batch = 3
        let x = (0..<(batch * op.domain.count)).map { Float(($0 * 13) % 29) / 14 - 1 }
        let out = op.codomain.count * batch
        var expected = [Float](repeating: .nan, count: out)
        op.applyUnchecked(x, &expected, batch: batch)
        let threads = 8
        let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: threads * out)
        defer { results.deallocate() }
        results.initialize(repeating: .nan)
        nonisolated(unsafe) let base = results.baseAddress!
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            x.withUnsafeBufferPointer { xp in op.applyUnchecked(xp.baseAddress!, base + i * out, batch: batch) }
        }
        for i in 0..<threads {
            #expect(Array(results[(i * out)..<((i + 1) * out)]) == expected, "thread \(i)")
        }
    }
}
