@testable import ConvAlgebra
import Testing
import _TestSupport

/// The weight gradient's two direct forms (loops, column matrix + GEMM) against each other and against the
/// materialised `B(x)ᵀ`, for every layer configuration of the conv and conv-transpose tests.
@Suite struct WeightGradientTests {
    func bothKernelsAgree<S: BLASScalar>(_ g: ConvolutionGeometry, _: S.Type, tol: Double) throws {
        var rng = LayerRNG(seed: 91)
        let batch = 3
        let a: [S] = rng.array(batch * g.outChannels * g.outputPlane)
        let c: [S] = rng.array(batch * g.inChannels * g.inputPlane)
        var results: [[S]] = []
        for kernel in WeightGradientKernel.allCases {
            var dw: [S] = nanFilled(count: g.weightCount)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeBufferPointer { cp in
                    dw.withUnsafeMutableBufferPointer { wp in
                        WeightGradientKernels.accumulate(g, outputSide: ap.baseAddress!, inputSide: cp.baseAddress!, batch: batch,
                                                         into: wp.baseAddress!, kernel: kernel)
                    }
                }
            }
            results.append(dw)
        }
        // Σ_b B(c_b)ᵀ a_b from the materialised operator (convolution direction: a = dy, c = x).
        let M = g.outChannels * g.outputPlane, N = g.inChannels * g.inputPlane
        var expected = [S](repeating: 0, count: g.weightCount)
        for b in 0..<batch {
            let B = try WeightGradient(geometry: g, input: Array(c[(b * N)..<((b + 1) * N)]))
            let bt = try B.transposed.sparse(budget: .unlimited)
            let part = try bt.dense(budget: .unlimited)
            for r in 0..<part.rows { for k in 0..<part.columns { expected[r] += part[r, k] * a[b * M + k] } }
        }
        for (kernel, dw) in zip(WeightGradientKernel.allCases, results) {
            #expect(!dw.contains { $0.isNaN }, "\(kernel) left an element unwritten")
            expectClose(dw, expected, tol: tol, "\(kernel) vs Σ B(x)ᵀ dy")
        }
    }

    @Test(arguments: ConvCase.all)
    func convolutionLayers(_ c: ConvCase) throws {
        try bothKernelsAgree(try c.layer(Double.self).geometry, Double.self, tol: 1e-12)
        try bothKernelsAgree(try c.layer(Float.self).geometry, Float.self, tol: 1e-4)
    }

    @Test(arguments: ConvTransposeCase.all)
    func transposedConvolutionLayers(_ c: ConvTransposeCase) throws {
        try bothKernelsAgree(try c.layer(Double.self).geometry, Double.self, tol: 1e-12)
    }

    @Test func wideLayersChooseTheGEMMFormAndMatchTheLoops() throws {
        for (input, weight, groups, mode) in [([8, 9, 7], [8, 8, 3, 3], 1, PaddingMode.zeros), ([8, 6, 5], [8, 4, 2, 3], 2, .circular),
                                              ([8, 5, 6], [4, 8, 3, 2], 1, .reflect)] {
            var rng = LayerRNG(seed: 5)
            let layer = try ConvolutionLayer<Double>(inputShape: input, weightShape: weight, weight: rng.array(weight.reduce(1, *)),
                                                     bias: rng.array(weight[0]), padding: .symmetric([1]), groups: groups,
                                                     paddingMode: mode)
            #expect(WeightGradientKernels.choose(layer.geometry) == .gemm)
            try bothKernelsAgree(layer.geometry, Double.self, tol: 1e-12)
            // And backward (which takes the GEMM form here) matches finite differences of the loss in W.
            let x = try rng.tensor([2] + input, Double.self), dy = try rng.tensor([2] + layer.outputShape, Double.self)
            let g = try layer.backward(input: x, outputGradient: dy)
            let v: [Double] = rng.array(layer.weight.count)
            func loss(_ s: Double) throws -> Double {
                let l = try ConvolutionLayer<Double>(inputShape: input, weightShape: weight, weight: zip(layer.weight, v).map { $0 + s * $1 },
                                                     bias: layer.bias?.scalars, padding: .symmetric([1]), groups: groups, paddingMode: mode)
                return dot(try l.forward(x).scalars, dy.scalars)
            }
            let fd = (try loss(1e-3) - loss(-1e-3)) / 2e-3
            #expect(abs(fd - dot(g.weight.scalars, v)) <= 1e-8 * max(1, abs(fd)))
        }
    }
}
