import ConvAlgebra
import Testing
import _TestSupport

/// `operator.explain()`: the reference's notation on the first line for every family, the shapes, the non-zeros
/// (counted, and equal to the materialised matrix's), the transpose, the form and kernel, and a chain's rewrites.
@Suite struct ExplanationTests {
    @Test func theReferenceExamplesReadAsTheReferenceWritesThem() throws {
        let strided = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same, stride: 2)
        #expect(strided.explain().notation == "y = ↓2 (q * x)")
        #expect(try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same, dilation: 2).explain().notation
                == "y = (↑2 q) * x")
        let transposed = try TransposedConvolution<Double>(kernel: [1, 2, 3], stride: 2, inputLength: 4)
        #expect(transposed.explain().notation == "y = q * (↑2 x) = (↓2 (q̃ *))ᵀ x")
        // (↓k)ᵀ = ↑k, literally in the notation.
        let down = try Downsample<Double>(factor: 2, inputLength: 8)
        let e = down.explain()
        #expect(e.notation == "y = ↓2 x" && e.transpose == "y = ↑2 x")
        #expect(try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 4).explain().notation
                == "y = (1 1) * (↑2 x)")
    }

    @Test func layersReadWithTheirPaddingAndFlippedWeight() throws {
        let conv = try ConvolutionLayer<Double>(inputShape: [2, 8, 8], weightShape: [3, 2, 3, 3], weight: Array(repeating: 1, count: 54),
                                                stride: [2], padding: .symmetric([1])).linear
        let e = conv.explain()
        #expect(e.notation == "y = ↓2 (q * pad(1) x)")
        #expect(e.kernels == ["q = flip(W), W of shape (3, 2, 3, 3)"])
        #expect(e.transpose == "y = crop(1) (q̃ * (↑2 x)) = (↓2 (q * pad(1)))ᵀ x")
        let t = try TransposedConvolutionLayer<Double>(inputShape: [2, 4, 4], weightShape: [2, 3, 4, 4], weight: Array(repeating: 1, count: 96),
                                                       stride: [2], padding: .symmetric([1])).linear
        #expect(t.explain().notation == "y = crop(1) (q * (↑2 x)) = (↓2 (q̃ * pad(1)))ᵀ x")
    }

    /// Every family's first line, in the vocabulary of docs/Notation.md.
    @Test func everyFamilyHasItsNotation() throws {
        let g = try PoolingGeometry(channels: 2, inputSize: [4, 4], kernelSize: [2, 2])
        let cases: [(any LinearOperator<Double>, String)] = [
            (try Upsample<Double>(factor: 3, inputLength: 4), "y = ↑3 x"),
            (try Downsample<Double>(factors: [1, 2, 2], phases: [0, 1, 1], inputSize: [2, 6, 6]), "y = ↓2 (shift(₁,₁) x)"),
            (PhaseMask(sampling: try Downsample<Double>(factor: 2, inputLength: 6)), "y = ↑2 ↓2 x"),
            (try NearestUpsampling<Double>(inputShape: [2] + [3, 3], scale: [2, 2]), "y = (1 1)^⊗2 * (↑2 x)"),
            (try NearestUpsampling<Double>(inputShape: [2] + [3, 3], scale: [2, 2]).transposed, "y = ↓2 ((1 1)^⊗2 * x)"),
            (try Interpolation<Double>(inputShape: [1, 4], scale: [2]), "y = Λ₂ * (↑2 x)"),
            (try AveragePooling<Double>(geometry: g), "y = ↓2 ((1 1)^⊗2 * x / 4)"),
            (try ZeroPadding<Double>(inputSize: [4], begin: [1], end: [2]), "y = pad(1,2) x"),
            (try ZeroPadding<Double>(inputSize: [4], begin: [1], end: [2]).transposed, "y = crop(1,2) x"),
            (try BorderPadding<Double>(inputSize: [4], begin: [1], end: [1], mode: .reflect), "y = pad_reflect(1) x"),
            (try Selection<Double>(domain: Shape([4]), codomain: Shape([2]), sources: [1, 2]), "y = S x"),
            (Identity<Double>(shape: try Shape([3])), "y = x"),
            (try Downsample<Double>(factor: 2, inputLength: 8).scaled(by: 2), "y = 2.0 · (↓2 x)"),
        ]
        for (op, expected) in cases {
            let e = op.explain()
            #expect(e.notation == expected)
            #expect(e.domain == op.domain && e.codomain == op.codomain)
            #expect(e.nonzeros == (try op.sparse().nonzeroCount), "\(expected): nnz")
            #expect(e.description.hasPrefix(expected + "\n"))
        }
    }

    /// The seed's fusion in a chain: the factors before, the rewrite with `(1 1) * q`, and one transposed
    /// convolution after.
    @Test func aChainShowsItsFactorsBeforeAndAfterRewriting() throws {
        let up = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 6)
        let conv = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 12, mode: .same)
        let chain = try Composed<Double>([up, conv])
        let e = chain.explain()
        #expect(e.notation == "y = q * ((1 1) * (↑2 x))")
        #expect(e.factors == ["(1 1) * (↑2 ·)", "q * ·"])
        let step = try #require(e.rewrites.first { $0.applied })
        #expect(step.identity == NearestUpsamplingFusion().identity)
        #expect(step.after == "((1 1) * q) * (↑2 ·), (1 1) * q = (q0, q0+q1, q1+q2, q2)")
        #expect(e.rewrittenFactors.count == 1 && e.rewrittenNotation == "q * (↑2 x)")
        #expect(e.transpose == "y = ↓2 ((1 1) * (q̃ * x))", "the transposed chain names the flipped kernel; the box sum")
        #expect(e.rewrittenWork < e.work)
        // Not countable from a stencil: the CSR matrix of the chain, materialised.
        #expect(e.nonzeros == (try chain.sparse().nonzeroCount))
        #expect(e.description.contains("rewrite ") && e.description.contains("after rewriting: "))
    }

    @Test func theFormAndTheKernelComeFromThePlannerAndThePlan() throws {
        let conv = try ConvolutionLayer<Float>(inputShape: [4, 16, 16], weightShape: [4, 4, 3, 3], weight: Array(repeating: 1, count: 144),
                                               padding: .symmetric([1])).convolution
        let e = conv.explain(batch: 8)
        let choice = FormChooser.choose(conv, batch: 8)
        #expect(e.form == choice.form && e.estimates == choice.estimates && e.estimatedSeconds == choice.estimates[choice.form])
        #expect(e.directKernels.count == 1 && !e.directKernels[0].isEmpty)
        #expect(e.nonzeros == conv.geometry.termCount && e.density! > 0 && e.density! < 1)
    }
}
