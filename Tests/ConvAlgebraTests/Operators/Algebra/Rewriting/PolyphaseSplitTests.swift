import ConvAlgebra
import Testing
import _TestSupport

/// `↓k (q * x) = Σ_p q_p * ↓k(shift_p x)`, materialised in 1-D, 2-D and 3-D; a form priced, not taken by default.
@Suite struct PolyphaseSplitTests {
    @Test func aStridedConvolutionIsTheSumOfItsPhases() throws {
        for mode in [ConvolutionMode.full, .same, .valid] {
            for (k, d) in [(2, 1), (3, 1), (2, 3), (4, 2)] {
                let c = try Convolution<Double>(geometry: .dsp(kernelLength: 5, inputLength: 17, mode: mode, stride: k, dilation: d),
                                                taps: integerTaps(5, seed: 9))
                let r = try expectProved(PolyphaseSplit(), [c], "1-D \(mode) stride \(k) dilation \(d)")
                let sum = try #require(r.first as? Sum<Double>)
                #expect(sum.terms.count == min(5, k / gcdOf(k, d)), "one term per phase the taps read")
            }
        }
        let c2: Convolution<Double> = try layerConvolution([2, 9, 8], out: 3, kernel: [3, 3], stride: [2], padding: [1])
        try expectProved(PolyphaseSplit(), [c2], "2-D stride 2")
        let c3: Convolution<Double> = try layerConvolution([2, 7, 5, 9], out: 2, kernel: [3, 2, 3], stride: [2, 1, 3], padding: [1],
                                                           dilation: [1, 2, 2])
        try expectProved(PolyphaseSplit(), [c3], "3-D strides (2, 1, 3)")
    }

    /// The phases do the strided convolution's multiply-adds plus copies and adds: priced higher, so declined.
    @Test func theRewriterPricesItAndDeclines() throws {
        let c: Convolution<Double> = try layerConvolution([4, 16, 16], out: 4, kernel: [3, 3], stride: [2], padding: [1])
        let r = Rewriter.standard.rewrite([c])
        #expect(r.factors.count == 1 && r.factors[0] is Convolution<Double>)
        let step = try #require(r.steps.first { $0.identity == PolyphaseSplit().identity })
        #expect(!step.applied && step.costAfter > step.costBefore)
        // A stride-1 convolution has nothing to split.
        #expect(PolyphaseSplit().match([try layerConvolution([1, 8], out: 1, kernel: [3]) as Convolution<Double>][...]) == nil)
    }

    /// The phases are found from the taps, not by scanning `0 ..< k`: a stride of 2⁶² (a layer whose replicate
    /// padding puts it in a composition, priced on its first application) split in no time into the phases its
    /// taps read, and the split is still the same operator.
    @Test func aHugeStrideSplitsIntoTheTapsPhases() throws {
        let c = try Convolution<Double>(geometry: .dsp(kernelLength: 3, inputLength: 10, mode: .valid, stride: 1 << 62),
                                        taps: integerTaps(3, seed: 4))
        let sum = try #require(try PolyphaseSplit.split(c))
        #expect(sum.terms.count == 3, "one phase per tap: the taps read samples 0, 1, 2")
        try expectProved(PolyphaseSplit(), [c], "1-D stride 2⁶²")
    }

    private func gcdOf(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcdOf(b, a % b) }
}
