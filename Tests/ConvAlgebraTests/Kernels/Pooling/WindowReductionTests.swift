@testable import ConvAlgebraKernels
import Testing

/// The pooling folds: the scalar max is Swift's `max` with PyTorch's NaN rule (a NaN in the window wins), the
/// sums are sums, and the 8-lane fold gives the scalar fold's bits lane by lane, as the protocol promises
/// (or flags the block, for a NaN).
@Suite struct WindowReductionTests {
    /// Eight windows of `taps` values each, deterministic and irregular, with repeated values and signed zeros.
    static func windows<T: KernelScalar>(_ taps: Int, as _: T.Type) -> [[T]] {
        (0..<8).map { l in (0..<taps).map { t in
            let v = ((l * 31 + t * 17) % 23) - 11
            return v == 0 ? (t % 2 == 0 ? T(0) : -T(0)) : T(Double(v) / 4)
        } }
    }

    func scalarFold<R: WindowReduction>(_: R.Type, _ w: [R.T]) -> R.T {
        var acc = R.identity
        for v in w { R.combine(&acc, v) }
        return acc
    }

    func vectorFold<R: WindowReduction>(_: R.Type, _ windows: [[R.T]]) -> (SIMD8<R.T>, flagged: Bool) {
        var acc = SIMD8(repeating: R.identity), flag = SIMD8<R.T>(repeating: 0)
        for t in windows[0].indices { R.combine(&acc, SIMD8((0..<8).map { windows[$0][t] }), &flag) }
        return (acc, R.flagged(flag))
    }

    @Test(arguments: [1, 2, 9, 25])
    func maxIsTheMaximumAndTheLanesAgreeBitForBit(taps: Int) {
        func check<T: KernelScalar>(_: T.Type) {
            let w = Self.windows(taps, as: T.self)
            let (v, flagged) = vectorFold(MaxReduction<T>.self, w)
            #expect(!flagged)
            for l in 0..<8 {
                let s = scalarFold(MaxReduction<T>.self, w[l])
                #expect(s == w[l].max()!)
                #expect(v[l] == s && v[l].sign == s.sign, "lane \(l): \(v[l]) vs \(s)")
            }
        }
        check(Float.self)
        check(Double.self)
    }

    @Test func maxOfAnEmptyWindowIsMinusInfinity() {
        #expect(MaxReduction<Float>.identity == -.infinity)
        #expect(scalarFold(MaxReduction<Double>.self, []) == -.infinity)
    }

    /// PyTorch: a NaN anywhere in the window makes the max NaN; the vector fold flags such a block.
    @Test(arguments: [0, 3, 6])
    func aNaNWinsAndFlagsTheBlock(position: Int) {
        var w = Self.windows(7, as: Float.self)
        w[5][position] = .nan
        #expect(scalarFold(MaxReduction<Float>.self, w[5]).isNaN)
        #expect(!scalarFold(MaxReduction<Float>.self, w[4]).isNaN)
        #expect(vectorFold(MaxReduction<Float>.self, w).flagged)
        var flag = SIMD8<Float>(repeating: 0)
        MaxReduction<Float>.merge(&flag, SIMD8(repeating: 0))
        #expect(!MaxReduction<Float>.flagged(flag))
        var nanLane = SIMD8<Float>(repeating: 0); nanLane[2] = .nan
        MaxReduction<Float>.merge(&flag, nanLane)
        #expect(MaxReduction<Float>.flagged(flag))
    }

    @Test(arguments: [1, 4, 9])
    func sumsAreSumsInTapOrderAndNeverFlag(taps: Int) {
        let w = Self.windows(taps, as: Double.self)
        let (v, flagged) = vectorFold(SumReduction<Double>.self, w)
        #expect(!flagged && !SumReduction<Double>.mayFlag && MaxReduction<Double>.mayFlag)
        for l in 0..<8 {
            let s = scalarFold(SumReduction<Double>.self, w[l])
            #expect(s == w[l].reduce(0, +))
            #expect(v[l] == s)
            #expect(SumReduction<Double>().finish(s, at: l) == s)
        }
    }

    /// The weighted sum scales output `o` by `weight[o]` (an average pool's `1/count`).
    @Test func weightedSumScalesEachOutputByItsWeight() {
        let weight: [Float] = (0..<16).map { 1 / Float($0 + 1) }
        weight.withUnsafeBufferPointer { p in
            let r = WeightedSumReduction<Float>(weight: p.baseAddress!)
            #expect(r.finish(6, at: 2) == 6 * weight[2])
            let v = r.finish(SIMD8(repeating: 12), at: 5)
            for l in 0..<8 { #expect(v[l] == 12 * weight[5 + l]) }
        }
    }
}
