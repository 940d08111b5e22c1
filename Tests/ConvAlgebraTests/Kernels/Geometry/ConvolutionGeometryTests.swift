import ConvAlgebra
import Testing
import _TestSupport

@Suite struct ConvolutionGeometryTests {
    private func geometry(inputSize: [Int] = [5], outputSize: [Int] = [3], kernelSize: [Int] = [3], stride: [Int] = [1],
                          offset: [Int] = [0], tapStep: [Int] = [1], boundary: ConvolutionGeometry.Boundary = .zero,
                          inChannels: Int = 1, outChannels: Int = 1, groups: Int = 1) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputSize: inputSize, outputSize: outputSize, kernelSize: kernelSize, stride: stride,
                                offset: offset, tapStep: tapStep, boundary: boundary, inChannels: inChannels,
                                outChannels: outChannels, groups: groups, hasChannelAxis: inChannels > 1 || outChannels > 1)
    }

    @Test func badGeometriesThrow() {
        expectThrows(.invalidArgument, "lists of different lengths") { try geometry(stride: [1, 1]) }
        expectThrows(.invalidArgument, "no spatial dimension") {
            try ConvolutionGeometry(inputSize: [], outputSize: [], kernelSize: [], stride: [], offset: [], tapStep: [])
        }
        expectThrows(.invalidArgument, "stride 0") { try geometry(stride: [0]) }
        expectThrows(.invalidArgument, "kernel size 0") { try geometry(kernelSize: [0]) }
        expectThrows(.invalidArgument, "negative size") { try geometry(inputSize: [-1]) }
        expectThrows(.invalidArgument, "dilation 0") { try geometry(tapStep: [0]) }
        expectThrows(.invalidArgument, "0 channels") { try geometry(inChannels: 0, outChannels: 2) }
        expectThrows(.invalidArgument, "0 groups") { try geometry(groups: 0) }
        expectThrows(.invalidArgument, "groups that do not divide the channels") { try geometry(inChannels: 4, outChannels: 3, groups: 2) }
        expectThrows(.invalidArgument, "circular over nothing") { try geometry(inputSize: [0], boundary: .circular) }
        expectThrows(.overflow, "an element count that overflows") {
            try geometry(inputSize: [Int.max / 2, 3], outputSize: [1, 1], kernelSize: [1, 1], stride: [1, 1], offset: [0, 0],
                         tapStep: [1, 1])
        }
        expectThrows(.overflow, "an index that overflows") { try geometry(outputSize: [2], stride: [Int.max / 2 + 1]) }
    }

    @Test func shapesAndWeightLayout() throws {
        let g = try geometry(inputSize: [6, 5], outputSize: [3, 3], kernelSize: [2, 3], stride: [2, 2], offset: [0, -1],
                             tapStep: [1, 1], inChannels: 4, outChannels: 6, groups: 2)
        #expect(g.domain.dims == [4, 6, 5] && g.codomain.dims == [6, 3, 3])
        #expect(g.weightShape == [6, 2, 2, 3] && g.weightCount == 72)
        #expect(g.inChannelsPerGroup == 2 && g.outChannelsPerGroup == 3 && g.rank == 2)
        #expect(g.inputPlane == 30 && g.outputPlane == 9 && g.kernelPlane == 6)
        let dsp = try ConvolutionGeometry.dsp(kernelLength: 3, inputLength: 8, mode: .same, stride: 2, dilation: 2)
        #expect(dsp.domain.dims == [8] && dsp.codomain.dims == [4] && dsp.weightShape == [3] && !dsp.hasChannelAxis)
        #expect(dsp.tapStep == [-2] && dsp.offset == [2] && dsp.stride == [2])
    }

    @Test(arguments: [ConvolutionGeometry.Boundary.zero, .circular])
    func inputIndexWrapsOrZeroes(boundary: ConvolutionGeometry.Boundary) throws {
        let g = try geometry(inputSize: [4], outputSize: [6], kernelSize: [3], offset: [-5], tapStep: [3], boundary: boundary)
        for i in 0..<6 {
            for t in 0..<3 {
                let c = i - 5 + 3 * t
                let expected = boundary == .zero ? (c >= 0 && c < 4 ? c : -1) : ((c % 4) + 4) % 4
                #expect(g.inputIndex(0, output: i, tap: t) == expected, "i \(i) t \(t)")
            }
        }
    }

    /// The analytic term count equals the enumeration's, over random geometries of every kind.
    @Test(arguments: 0..<40) func termCountIsTheEnumeratedCount(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        func pick(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        let rank = pick(1...3)
        let n = (0..<rank).map { _ in pick(1...7) }, k = (0..<rank).map { _ in pick(1...4) }
        let s = (0..<rank).map { _ in pick(1...3) }, o = (0..<rank).map { _ in pick(-4...3) }
        let e = (0..<rank).map { _ in pick(1...2) * (rng.next() % 2 == 0 ? 1 : -1) }
        let m = (0..<rank).map { _ in pick(0...6) }
        let groups = pick(1...2)
        let g = try ConvolutionGeometry(inputSize: n, outputSize: m, kernelSize: k, stride: s, offset: o, tapStep: e,
                                        boundary: seed % 5 == 0 ? .circular : .zero, inChannels: 2 * groups,
                                        outChannels: groups * pick(1...2), groups: groups, hasChannelAxis: true)
        let conv = try Convolution<Double>(geometry: g, taps: Array(repeating: 1, count: g.weightCount))
        var enumerated = 0, inRange = true
        conv.forEachTerm { r, c, t, _ in
            enumerated += 1
            if r >= g.codomain.count || c >= g.domain.count || t >= g.weightCount { inRange = false }
        }
        #expect(conv.termCount == enumerated)
        #expect(conv.transposed.termCount == enumerated)
        #expect(inRange)
    }

    /// A huge operator is refused by the budget before any work proportional to its size.
    @Test func hugeSparseIsRefusedBeforeEnumerating() throws {
        let conv = try Convolution<Float>(kernel: Array(repeating: 1, count: 1 << 20), inputLength: 1 << 20, mode: .full)
        expectThrows(.exceedsMemoryBudget, "2^40 terms") { try conv.sparse(budget: MemoryBudget(bytes: 1 << 30)) }
        expectThrows(.exceedsMemoryBudget, "a 2^21 × 2^20 dense matrix") { try conv.dense(budget: MemoryBudget(bytes: 1 << 30)) }
    }
}
