import ConvAlgebra
import Testing
import _TestSupport

/// The rewriter's count: a convolution's terms plus its moves, a chain the sum of its factors.
@Suite struct OperatorCostTests {
    @Test func countsTermsAndMoves() throws {
        let c = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same)
        #expect(OperatorCost.work(c) == Double(c.geometry.termCount) + 16 * OperatorCost.moveCost)
        let d = try Downsample<Double>(factor: 2, inputLength: 8)
        #expect(OperatorCost.work(d) == 12 * OperatorCost.moveCost)
        #expect(OperatorCost.work(try Composed<Double>([c, d])) == OperatorCost.work(c) + OperatorCost.work(d))
        // A strided convolution counts only its kept outputs: half the stride-1 terms here.
        let s = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same, stride: 2)
        #expect(s.geometry.termCount * 2 <= c.geometry.termCount + 2)
    }
}
