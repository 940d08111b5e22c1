@testable import ConvAlgebra
import Testing
import _TestSupport

/// The row kernels (``PoolingKernels/reduceRows(_:_:planes:_:_:)``) against the window-bounds kernels they
/// replace: the same fold in the same order, so the same bits, NaN payloads and signed zeros included;
/// against the materialised forms within rounding.
@Suite struct PoolingRowKernelsTests {
    /// (spatial input, kernel, stride, padding, dilation, ceil): borders on both sides, rows wide enough for
    /// vector blocks and an overlapping last block, strides 1, 2 and 3, dilation, ceil mode, 1-D to 3-D.
    typealias Case = (n: [Int], k: [Int], s: [Int], p: [Int], d: [Int], ceil: Bool)
    static let cases: [Case] = [
        ([37], [3], [1], [1], [1], false),
        ([40], [3], [2], [1], [1], true),
        ([41], [2], [2], [0], [1], false),
        ([53], [4], [3], [2], [2], true),
        ([9, 34], [3, 3], [2, 2], [1, 1], [1, 1], false),
        ([9, 35], [3, 3], [2, 2], [1, 1], [1, 1], true),
        ([8, 33], [2, 3], [1, 2], [1, 1], [2, 3], true),
        ([6, 50], [3, 5], [3, 1], [1, 2], [1, 1], false),
        ([5, 18], [3, 2], [2, 2], [1, 1], [1, 2], false),
        ([4, 7], [3, 3], [2, 2], [1, 1], [1, 1], true),     // narrower than one vector block: scalar only
        ([3, 5, 29], [2, 3, 3], [2, 2, 2], [1, 1, 1], [1, 1, 1], true),
        ([4, 3, 26], [3, 2, 2], [1, 1, 2], [1, 0, 0], [1, 1, 2], false),
    ]

    /// Uniform entries with ties, signed zeros, infinities and NaNs with distinct payloads sprinkled in.
    static func input<S: BLASScalar>(_ count: Int, seed: UInt64, _: S.Type) -> [S] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            switch rng.next() % 16 {
            case 0: return S(sign: rng.next() % 2 == 0 ? .plus : .minus, exponent: 0, significand: 0)
            case 1: return -.infinity
            case 2 where rng.next() % 4 == 0:
                // A quiet NaN with a payload of 0 … 6 and either sign.
                let quiet = S.RawSignificand(1) << (S.significandBitCount - 1)
                return S(sign: rng.next() % 2 == 0 ? .plus : .minus, exponentBitPattern: S.RawExponent((1 << S.exponentBitCount) - 1),
                         significandBitPattern: quiet | S.RawSignificand(rng.next() % 7))
            case 3: return .infinity
            case 4...6: return S(Int(rng.next() % 3) - 1)
            default: return S(Double(rng.next() % 10_000) / 5_000 - 1)
            }
        }
    }

    /// Only signed zeros and ones: many ties, where the order of the fold decides the sign of a zero.
    static func zeros<S: BLASScalar>(_ count: Int, seed: UInt64, _: S.Type) -> [S] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.next() % 5 == 0 ? -1 : S(sign: rng.next() % 2 == 0 ? .plus : .minus, exponent: 0, significand: 0) }
    }

    static func sameBits<S>(_ a: [S], _ b: [S]) -> Bool {
        a.withUnsafeBytes { u in b.withUnsafeBytes { v in u.elementsEqual(v) } }
    }

    // MARK: - Max pooling

    func checkMax<S: BLASScalar>(_ c: Case, _: S.Type, seed: UInt64, batch: Int = 2, channels: Int = 3) throws {
        let op = try MaxPooling<S>(inputShape: [channels] + c.n, kernelSize: c.k, stride: c.s, padding: c.p,
                                   dilation: c.d, ceilMode: c.ceil)
        let shape = [batch] + op.domain.dims
        for scalars in [Self.input(shape.reduce(1, *), seed: seed, S.self), Self.zeros(shape.reduce(1, *), seed: seed, S.self)] {
            let x = try Tensor(shape: Shape(shape), scalars: scalars)
            let fast = try op.apply(x, form: .direct)
            let generic = try op.forward(x).values
            let same = Self.sameBits(fast.scalars, generic.scalars)
            #expect(same, "case \(c): the row kernel differs from the window-bounds kernel")
            // The Jacobian picks the arg-max element itself: the same values (its product adds to a zero, so
            // a −0 comes out +0; NaN meets NaN).
            let error = poolMaxError(fast.scalars, try op.apply(x, form: .sparse).scalars)
            #expect(error == 0, "case \(c): the row kernel differs from the selection J(x)·x")
        }
    }

    @Test(arguments: cases.indices)
    func maxPoolRowsMatchWindowKernelBitForBit(_ i: Int) throws {
        try checkMax(Self.cases[i], Float.self, seed: UInt64(i))
        try checkMax(Self.cases[i], Double.self, seed: UInt64(i) + 100)
    }

    /// An output above ``StreamingStore/threshold`` takes the streaming path (buffered rows, streaming copies).
    @Test func maxPoolStreamsLargeOutputs() throws {
        let c: Case = ([64, 64], [3, 3], [1, 1], [1, 1], [1, 1], false)
        try checkMax(c, Float.self, seed: 7, batch: 4, channels: 65)     // 4·65·64·64 floats > 4 MiB, odd plane count
    }

    // MARK: - Average pooling

    func checkAverage<S: BLASScalar>(_ c: Case, include: Bool, divisor: Int?, _: S.Type, seed: UInt64,
                                     batch: Int = 2, channels: Int = 3) throws {
        let op = try AveragePooling<S>(inputShape: [channels] + c.n, kernelSize: c.k, stride: c.s, padding: c.p,
                                       ceilMode: c.ceil, countIncludePad: include, divisorOverride: divisor)
        let shape = [batch] + op.domain.dims
        var rng = SplitMix64(seed: seed)
        let x: Tensor<S> = try randomTensor(shape, using: &rng)
        let fast = try op.apply(x, form: .direct)
        var generic = [S](repeating: .nan, count: fast.scalars.count)
        x.scalars.withUnsafeBufferPointer { xp in
            generic.withUnsafeMutableBufferPointer { yp in
                PoolingKernels.windowSum(op.windows!, weight: op.outputWeight, planes: batch * channels, xp.baseAddress!, yp.baseAddress!)
            }
        }
        let same = Self.sameBits(fast.scalars, generic)
        #expect(same, "case \(c): the row kernel differs from the window-bounds kernel")
        let error = poolMaxError(fast.scalars, try op.apply(x, form: .sparse).scalars)
        #expect(error <= (S.self == Float.self ? 1e-6 : 1e-14), "case \(c): the row kernel differs from the sparse form")
    }

    @Test(arguments: cases.indices, [(true, nil), (false, nil), (true, 7)] as [(Bool, Int?)])
    func averagePoolRowsMatchWindowKernelBitForBit(_ i: Int, _ rule: (Bool, Int?)) throws {
        var c = Self.cases[i]
        c.d = c.d.map { _ in 1 }           // average pooling has no dilation
        c.p = zip(c.p, c.k).map { min($0, $1 / 2) }
        try checkAverage(c, include: rule.0, divisor: rule.1, Float.self, seed: UInt64(i))
        try checkAverage(c, include: rule.0, divisor: rule.1, Double.self, seed: UInt64(i) + 100)
    }

    @Test func averagePoolStreamsLargeOutputs() throws {
        try checkAverage(([64, 64], [3, 3], [1, 1], [1, 1], [1, 1], false), include: false, divisor: nil, Float.self,
                         seed: 3, batch: 4, channels: 65)
    }
}
