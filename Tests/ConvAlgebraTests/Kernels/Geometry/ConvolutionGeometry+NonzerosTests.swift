import ConvAlgebra
import Testing

/// The closed-form non-zero count of a convolution's matrix (``ConvolutionGeometry/nonzeroCount(taps:)``) against
/// the entries of its materialised CSR matrix, on random geometries: 1-D to 3-D, strides, dilations, paddings on
/// either side, DSP tap steps (`e < 0`), groups, zero and circular boundaries, weights with exact zeros.
@Suite struct ConvolutionGeometryNonzerosTests {
    private static func draw(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    @Test(arguments: 0..<60)
    func equalsTheCSRCount(seed: Int) throws {
        var rng = SplitMix64(seed: 0xC0DE + UInt64(seed))
        let rank = Self.draw(&rng, 1...3)
        let groups = Self.draw(&rng, 1...2)
        let circular = seed % 3 == 0
        var n: [Int] = [], m: [Int] = [], k: [Int] = [], s: [Int] = [], o: [Int] = [], e: [Int] = []
        for _ in 0..<rank {
            n.append(Self.draw(&rng, 1...7)); m.append(Self.draw(&rng, 1...6)); k.append(Self.draw(&rng, 1...4))
            s.append(Self.draw(&rng, 1...3)); o.append(Self.draw(&rng, -3...3))
            e.append(Self.draw(&rng, 1...2) * (rng.next() % 4 == 0 ? -1 : 1))
        }
        let g = try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: s, offset: o, tapStep: e,
                                        boundary: circular ? .circular : .zero, inChannels: groups * Self.draw(&rng, 1...2),
                                        outChannels: groups * Self.draw(&rng, 1...2), groups: groups, hasChannelAxis: true)
        // Random weights, about one in five exactly zero.
        let taps = (0..<g.weightCount).map { _ in rng.next() % 5 == 0 ? 0.0 : rng.nextSigned() + 2 }
        let csr = try Convolution<Double>(geometry: g, taps: taps).sparse()
        let counted = csr.values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        if g.tapsCollide {
            #expect(g.nonzeroCount(taps: taps) == nil, "a circular wrap that merges taps is not modelled")
        } else {
            #expect(g.nonzeroCount(taps: taps) == counted, "\(g)")
            // Every weight non-zero: the structural count, which is the term count.
            let full = taps.map { $0 == 0 ? 1.0 : $0 }
            #expect(g.nonzeroCount(taps: full) == g.termCount)
        }
        // Per axis and tap, the valid outputs are those whose index map reads inside the input.
        for d in 0..<rank {
            for t in 0..<k[d] {
                let valid = (0..<m[d]).filter { g.inputIndex(d, output: $0, tap: t) >= 0 }.count
                #expect(g.validOutputs(d, tap: t) == valid)
            }
        }
    }

    @Test func collidingCircularTapsAndShortWeightsGiveNil() throws {
        // K = 5 taps on a circular input of 3: taps 0 and 3 read the same sample.
        let wrap = try ConvolutionGeometry(inputSize: [3], outputSize: [3], kernelSize: [5], stride: [1], offset: [0], tapStep: [1],
                                           boundary: .circular)
        #expect(wrap.tapsCollide && wrap.nonzeroCount(taps: [Double](repeating: 1, count: 5)) == nil)
        let fine = try ConvolutionGeometry(inputSize: [8], outputSize: [8], kernelSize: [3], stride: [1], offset: [-1], tapStep: [1])
        #expect(!fine.tapsCollide && fine.nonzeroCount(taps: [1.0, 2.0]) == nil)
        #expect(fine.nonzeroCount(taps: [1.0, 0.0, 2.0]) == 7 + 7)   // the end taps each miss one output
    }
}
