import ConvAlgebra
import Testing
import _TestSupport

/// `q₂ * (q₁ * x) = (q₂ * q₁) * x` for stride-1 convolutions, materialised in 1-D, 2-D and 3-D; taken only where
/// cheaper, declined where the chain reads a zero the fused kernel would not.
@Suite struct ConvolutionChainFusionTests {
    @Test func twoFullDSPConvolutionsAreOneWithTheConvolvedKernel() throws {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 9, mode: .full)
        let b = try Convolution<Double>(kernel: [4, 1, 2], inputLength: 11, mode: .full)
        let r = try expectProved(ConvolutionChainFusion(), [a, b], "1-D full")
        let fused = try #require(r.first as? Convolution<Double>)
        #expect(fused.taps == KernelFusion.fused([4, 1, 2], [1, 2, 3]))
        // 5 multiply-adds per output instead of 6: taken.
        #expect(Rewriter.standard.rewrite([a, b]).factors.count == 1)
        // Dilations 1 and 2.
        let d = try Convolution<Double>(geometry: .dsp(kernelLength: 2, inputLength: 11, mode: .full, dilation: 2), taps: [3, 1])
        try expectProved(ConvolutionChainFusion(), [a, d], "1-D dilations 1, 2")
    }

    @Test func aSameModeChainReadsZerosTheFusedKernelWouldNot() throws {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 9, mode: .same)
        let b = try Convolution<Double>(kernel: [4, 1, 2], inputLength: 9, mode: .same)
        #expect(ConvolutionChainFusion().match([a, b][...]) == nil)
    }

    @Test func validLayerChainsFuseIn2DAnd3D() throws {
        // 2-D, 3×3 twice, channels 2 → 3 → 2: the fused 5×5 mixes 2 → 2 directly, cheaper: taken.
        let a2: Convolution<Double> = try layerConvolution([2, 7, 8], out: 3, kernel: [3, 3], seed: 1)
        let b2: Convolution<Double> = try layerConvolution([3, 5, 6], out: 2, kernel: [3, 3], seed: 2)
        try expectProved(ConvolutionChainFusion(), [a2, b2], "2-D valid")
        #expect(Rewriter.standard.rewrite([a2, b2]).factors.count == 1)
        // One channel: 18 multiply-adds per output vs 25 fused — proved, but not taken.
        let a1c: Convolution<Double> = try layerConvolution([1, 20, 20], out: 1, kernel: [3, 3], seed: 1)
        let b1c: Convolution<Double> = try layerConvolution([1, 18, 18], out: 1, kernel: [3, 3], seed: 2)
        try expectProved(ConvolutionChainFusion(), [a1c, b1c], "2-D valid, one channel")
        let r2 = Rewriter.standard.rewrite([a1c, b1c])
        #expect(r2.factors.count == 2 && r2.steps.contains { !$0.applied && $0.identity == ConvolutionChainFusion().identity })
        // A padded first factor and a valid second one that stays inside its output; 3-D, separable 1×1×2 then 1×2×1.
        let a3: Convolution<Double> = try layerConvolution([2, 3, 4, 5], out: 3, kernel: [1, 1, 2], seed: 3)
        let b3: Convolution<Double> = try layerConvolution([3, 3, 4, 4], out: 2, kernel: [1, 2, 1], seed: 4)
        try expectProved(ConvolutionChainFusion(), [a3, b3], "3-D valid")
        #expect(Rewriter.standard.rewrite([a3, b3]).factors.count == 1, "cheaper: taken")
        let a1: Convolution<Double> = try layerConvolution([1, 9], out: 1, kernel: [3], padding: [2], seed: 5)
        let b1: Convolution<Double> = try layerConvolution([1, 11], out: 1, kernel: [3], dilation: [2], seed: 6)
        try expectProved(ConvolutionChainFusion(), [a1, b1], "1-D layer, padding then dilation")
    }
}
