@testable import ConvAlgebra
import Testing
import _TestSupport

@Suite struct AveragePoolingTests {
    /// (spatial input, kernel, stride, padding, ceil, count_include_pad, divisor override)
    typealias Case = (n: [Int], k: [Int], s: [Int]?, p: [Int], ceil: Bool, include: Bool, divisor: Int?)
    static let cases: [Case] = [
        ([9], [3], nil, [0], false, true, nil),
        ([10], [3], [2], [1], true, true, nil),
        ([10], [3], [2], [1], true, false, nil),
        ([6], [4], [3], [2], true, true, nil),
        ([5], [2], [2], [1], true, true, nil),          // ceil mode drops a window that would start in the right padding
        ([7, 6], [3, 2], [2, 2], [1, 1], true, false, nil),
        ([7, 6], [3, 2], [2, 1], [1, 0], false, true, 5),
        ([4, 5, 3], [2, 3, 2], [2, 2, 1], [1, 1, 0], true, true, nil),
        ([4, 5, 3], [2, 2, 2], nil, [0], true, false, nil),
        ([3, 4, 3, 2], [2], nil, [1], true, false, nil),    // beyond PyTorch's ranks: the flat-map kernel
    ]

    static func make<S: BLASScalar>(_ c: Case, _: S.Type, channels: Int = 2) throws -> AveragePooling<S> {
        try AveragePooling(inputShape: [channels] + c.n, kernelSize: c.k, stride: c.s, padding: c.p,
                           ceilMode: c.ceil, countIncludePad: c.include, divisorOverride: c.divisor)
    }

    @Test(arguments: cases.indices)
    func formsAgreeAndTransposeIsLiteral(_ i: Int) throws {
        try expectPoolFormsAgree(Self.make(Self.cases[i], Float.self), seed: UInt64(i))
        try expectPoolFormsAgree(Self.make(Self.cases[i], Double.self), seed: UInt64(i))
        let op = try Self.make(Self.cases[i], Double.self)
        #expect(op.transposed.transposed == op)
    }

    /// The reference text: average pooling is `↓s((1/k … 1/k) * x)`, a valid-mode convolution with the
    /// constant kernel followed by down-sampling.
    @Test(arguments: [(9, 3, 1), (9, 3, 2), (10, 4, 3), (5, 5, 1)])
    func isBoxFilterThenDownsample(_ n: Int, _ k: Int, _ s: Int) throws {
        let pool = try AveragePooling<Double>(inputShape: [1, n], kernelSize: [k], stride: [s])
        let box = try Convolution<Double>(kernel: Array(repeating: 1 / Double(k), count: k), inputLength: n, mode: .valid)
        let composed = try box.then(Downsample(factor: s, inputLength: n - k + 1))
        let a = try pool.dense(), b = try composed.dense()
        #expect(a.rows == b.rows && a.columns == b.columns)
        #expect(poolMaxError(a.entries, b.entries) <= 1e-15)
    }

    /// Each output is an average: with padding excluded, every row of the matrix sums to one.
    @Test func rowsSumToOneWithoutPadding() throws {
        let op = try AveragePooling<Double>(inputShape: [3, 7, 5], kernelSize: [3], stride: [2], padding: [1],
                                            ceilMode: true, countIncludePad: false)
        let a = try op.dense()
        for r in 0..<a.rows {
            let sum = (0..<a.columns).reduce(0.0) { $0 + a[r, $1] }
            #expect(abs(sum - 1) < 1e-14, "row \(r) sums to \(sum)")
        }
    }

    /// The gradient `Aᵀ dy` matches finite differences of the forward map (it is linear, so exactly).
    @Test func backwardIsTransposeApplied() throws {
        let op = try AveragePooling<Double>(inputShape: [2, 6, 5], kernelSize: [2, 3], stride: [2, 1],
                                            padding: [1, 1], ceilMode: true)
        var rng = SplitMix64(seed: 9)
        let x = try rng.tensor([2] + op.domain.dims, Double.self), dy = try rng.tensor([2] + op.codomain.dims, Double.self)
        let dx = try op.backward(dy)
        let loss = { (x: Tensor<Double>) throws -> Double in zip(try op.apply(x).scalars, dy.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
        for j in [0, 7, 31, x.shape.count - 1] {
            var xp = x, xm = x
            xp.scalars[j] += 1e-3; xm.scalars[j] -= 1e-3
            let fd = try (loss(xp) - loss(xm)) / 2e-3
            #expect(abs(fd - dx.scalars[j]) < 1e-9, "element \(j): finite difference \(fd), backward \(dx.scalars[j])")
        }
    }

    @Test func badArgumentsThrow() {
        let bad: [() throws -> Void] = [
            { _ = try AveragePooling<Float>(inputShape: [1, 8], kernelSize: [0]) },
            { _ = try AveragePooling<Float>(inputShape: [1, 8], kernelSize: [2], stride: [0]) },
            { _ = try AveragePooling<Float>(inputShape: [1, 8], kernelSize: [3], padding: [-1]) },
            { _ = try AveragePooling<Float>(inputShape: [1, 8], kernelSize: [3], padding: [2]) },   // p > k/2
            { _ = try AveragePooling<Float>(inputShape: [1, 3], kernelSize: [6], padding: [1]) },   // kernel > padded input
            { _ = try AveragePooling<Float>(inputShape: [1, 8, 8], kernelSize: [2, 2, 2]) },
            { _ = try AveragePooling<Float>(inputShape: [0, 8], kernelSize: [2]) },
            { _ = try AveragePooling<Float>(inputShape: [1, 0], kernelSize: [1]) },
            { _ = try AveragePooling<Float>(inputShape: [1, 8], kernelSize: [2], divisorOverride: 0) },
        ]
        for (i, f) in bad.enumerated() {
            #expect(throws: ConvAlgebraError.self, "case \(i)") { try f() }
        }
    }

    @Test func mismatchedInputThrows() throws {
        let op = try AveragePooling<Float>(inputShape: [2, 8], kernelSize: [2])
        #expect(throws: ConvAlgebraError.self) { try op.apply(Tensor<Float>(shape: Shape([2, 3, 8]))) }
        #expect(throws: ConvAlgebraError.self) { try op.backward(Tensor<Float>(shape: Shape([2, 2, 5]))) }
    }
}

@Suite struct PoolingGeometryTests {
    /// PyTorch's rule: in ceil mode the last window must start inside the input or the left padding.
    @Test func ceilModeDropsAWindowStartingInTheRightPadding() throws {
        #expect(try PoolingGeometry.outputLength(inputLength: 5, kernelSize: 2, stride: 2, padding: 1, dilation: 1, ceilMode: true) == 3)
        #expect(try PoolingGeometry.outputLength(inputLength: 5, kernelSize: 2, stride: 2, padding: 1, dilation: 1, ceilMode: false) == 3)
        #expect(try PoolingGeometry.outputLength(inputLength: 6, kernelSize: 3, stride: 2, padding: 0, dilation: 1, ceilMode: true) == 3)
        #expect(try PoolingGeometry.outputLength(inputLength: 6, kernelSize: 3, stride: 2, padding: 0, dilation: 1, ceilMode: false) == 2)
    }

    /// Every window of a ceil-mode geometry starts before `n + p`.
    @Test(arguments: 1...12)
    func everyWindowStartsInsideInputOrLeftPadding(_ n: Int) throws {
        for k in 1...4 { for s in 1...4 { for p in 0...(k / 2) { for d in 1...2 {
            guard let g = try? PoolingGeometry(channels: 1, inputSize: [n], kernelSize: [k], stride: [s], padding: [p],
                                                dilation: [d], ceilMode: true) else { continue }
            #expect((g.outputSize[0] - 1) * s - p < n, "n \(n) k \(k) s \(s) p \(p) d \(d)")
        } } } }
    }

    /// Pooling checks `p ≤ ⌊k/2⌋` whatever the dilation, in 1-D, 2-D and 3-D, as PyTorch (`max_pool1d`,
    /// `pool2d_shape_check`, `pool3d_shape_check`: "pad should be at most half of kernel size"). Before the
    /// differential fuzzer found it, 1-D and 2-D max pooling allowed half the dilated kernel (padding 2 with
    /// kernel 3, dilation 2), which PyTorch refuses.
    @Test(arguments: [[9], [9, 9], [9, 9, 9]])
    func paddingIsAtMostHalfTheKernelSizeWhateverTheDilation(_ size: [Int]) throws {
        _ = try PoolingGeometry(channels: 1, inputSize: size, kernelSize: [3], padding: [1], dilation: [2])
        expectThrows(.invalidArgument, "k 3, p 2, d 2") {
            try PoolingGeometry(channels: 1, inputSize: size, kernelSize: [3], padding: [2], dilation: [2])
        }
        expectThrows(.invalidArgument, "k 2, p 2, d 3") {
            try MaxPooling<Float>(inputShape: [1] + size, kernelSize: [2], padding: [2], dilation: [3])
        }
    }
}
