@testable import ConvAlgebra
import Testing
import _TestSupport

@Suite struct MaxPoolingTests {
    typealias Case = (n: [Int], k: [Int], s: [Int]?, p: [Int], d: [Int], ceil: Bool)
    static let cases: [Case] = [
        ([9], [3], nil, [0], [1], false),
        ([10], [3], [2], [1], [2], true),
        ([5], [2], [2], [1], [1], true),
        ([7, 6], [3, 2], [2, 2], [1, 1], [1, 2], true),
        ([7, 6], [2, 3], [1, 2], [1, 0], [2, 1], false),
        ([4, 5, 3], [2, 3, 2], [2, 2, 1], [1, 1, 0], [1, 1, 2], true),
        ([3, 4, 3, 2], [2], [1], [1], [1], true),           // beyond PyTorch's ranks: the flat-map kernel
    ]

    static func make<S: BLASScalar>(_ c: Case, _: S.Type, channels: Int = 2) throws -> MaxPooling<S> {
        try MaxPooling(inputShape: [channels] + c.n, kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
    }

    /// A plain reference: the max over each window by explicit per-dimension index arithmetic.
    static func reference(_ op: MaxPooling<Double>, _ x: [Double]) -> [Double] {
        let g = op.geometry, r = g.rank
        let N = g.inputSize.reduce(1, *), M = g.outputSize.reduce(1, *), K = g.kernelSize.reduce(1, *)
        var y = [Double]()
        for c in 0..<g.channels {
            for p in 0..<M {
                var o = [Int](repeating: 0, count: r), q = p
                for d in stride(from: r - 1, through: 0, by: -1) { o[d] = q % g.outputSize[d]; q /= g.outputSize[d] }
                var best = -Double.infinity
                for t in 0..<K {
                    var tt = [Int](repeating: 0, count: r), u = t, flat = 0, inside = true
                    for d in stride(from: r - 1, through: 0, by: -1) { tt[d] = u % g.kernelSize[d]; u /= g.kernelSize[d] }
                    for d in 0..<r {
                        let i = o[d] * g.stride[d] - g.padding[d] + tt[d] * g.dilation[d]
                        if i < 0 || i >= g.inputSize[d] { inside = false }
                        flat = flat * g.inputSize[d] + i
                    }
                    if inside { best = max(best, x[c * N + flat]) }
                }
                y.append(best)
            }
        }
        return y
    }

    @Test(arguments: cases.indices)
    func matchesReferenceAndJacobianReproducesForward(_ i: Int) throws {
        let op = try Self.make(Self.cases[i], Double.self)
        var rng = SplitMix64(seed: UInt64(i))
        let x = try rng.tensor(op.domain.dims, Double.self)
        let y = try op.forward(x).values
        #expect(y.scalars == Self.reference(op, x.scalars))
        let j = try op.jacobian(at: x)
        #expect(try j.apply(x).scalars == y.scalars)
        #expect(j.transposed.transposed == j)
        try expectPoolFormsAgree(j)
        let jf = try Self.make(Self.cases[i], Float.self).jacobian(at: Tensor(shape: x.shape, scalars: x.scalars.map(Float.init)))
        try expectPoolFormsAgree(jf)
    }

    /// In dense and sparse form each sample of the batch uses its own selection matrix.
    @Test(arguments: cases.indices)
    func batchFormsUseEachSamplesJacobian(_ i: Int) throws {
        let op = try Self.make(Self.cases[i], Float.self)
        var rng = SplitMix64(seed: 40 + UInt64(i))
        let x = try rng.tensor([4] + op.domain.dims, Float.self)
        let direct = try op.apply(x)
        #expect(try op.apply(x, form: .dense).scalars == direct.scalars)
        #expect(try op.apply(x, form: .sparse).scalars == direct.scalars)
        let dy = try rng.tensor([4] + op.codomain.dims, Float.self)
        let g = try op.backward(dy, at: x)
        #expect(poolMaxError(try op.backward(dy, at: x, form: .dense).scalars, g.scalars) <= 1e-6)
        #expect(poolMaxError(try op.backward(dy, at: x, form: .sparse).scalars, g.scalars) <= 1e-6)
    }

    /// The gradient matches finite differences where the arg-max is unique (random inputs).
    @Test func backwardMatchesFiniteDifferences() throws {
        let op = try Self.make(Self.cases[3], Double.self)
        var rng = SplitMix64(seed: 77)
        let x = try rng.tensor([2] + op.domain.dims, Double.self), dy = try rng.tensor([2] + op.codomain.dims, Double.self)
        let dx = try op.backward(dy, at: x)
        let loss = { (x: Tensor<Double>) throws -> Double in zip(try op.apply(x).scalars, dy.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
        for j in stride(from: 0, to: x.shape.count, by: 5) {
            var xp = x, xm = x
            xp.scalars[j] += 1e-7; xm.scalars[j] -= 1e-7
            let fd = try (loss(xp) - loss(xm)) / 2e-7
            #expect(abs(fd - dx.scalars[j]) < 1e-6, "element \(j): finite difference \(fd), backward \(dx.scalars[j])")
        }
    }

    /// The window-bounds kernel (ranks 1–3) and the flat-map kernel agree on values and indices, with ties and NaN.
    @Test(arguments: cases.indices.dropLast())
    func windowKernelMatchesMapKernel(_ i: Int) throws {
        let op = try Self.make(Self.cases[i], Float.self)
        var rng = SplitMix64(seed: 90 + UInt64(i))
        var x = try rng.tensor([2] + op.domain.dims, Float.self)
        for j in x.scalars.indices { x.scalars[j] = (x.scalars[j] * 2).rounded() }       // many ties
        for j in stride(from: 3, to: x.scalars.count, by: 17) { x.scalars[j] = .nan }
        let g = op.geometry, planes = 2 * g.channels
        let (M, K, N) = (g.outputSize.reduce(1, *), g.kernelSize.reduce(1, *), g.inputSize.reduce(1, *))
        var y1 = [Float](repeating: 0, count: planes * M), y2 = y1
        var i1 = [Int](repeating: 0, count: planes * M), i2 = i1
        let windows = try #require(PoolingWindows(g))
        x.scalars.withUnsafeBufferPointer { xp in
            PoolingKernels.maxPool(op.map, windows: M, taps: K, inputPlane: N, planes: planes, xp.baseAddress!, &y1, &i1)
            PoolingKernels.maxPool(windows, planes: planes, xp.baseAddress!, &y2, &i2)
        }
        #expect(i1 == i2)
        #expect(poolMaxError(y1, y2) == 0)
    }

    /// Ties: the first maximum in row-major window order wins (PyTorch's `val > max`).
    @Test func firstOfTiedMaximaWins() throws {
        let op = try MaxPooling<Float>(inputShape: [1, 2, 4], kernelSize: [2, 2])
        let x = try Tensor<Float>(shape: [1, 2, 4], scalars: [1, 5, 5, 2, 5, 0, 2, 2])
        let (y, idx) = try op.forward(x)
        #expect(y.scalars == [5, 5])
        #expect(idx == [1, 2])
    }

    /// NaN propagates and is selected (the last NaN of the window), as in PyTorch.
    @Test func nanPropagates() throws {
        let op = try MaxPooling<Double>(inputShape: [1, 6], kernelSize: [3])
        let x = try Tensor<Double>(shape: [1, 6], scalars: [1, .nan, .nan, 7, 9, 8])
        let (y, idx) = try op.forward(x)
        #expect(y.scalars[0].isNaN && y.scalars[1] == 9)
        #expect(idx == [2, 4])
    }

    @Test func badArgumentsThrow() throws {
        let bad: [() throws -> Void] = [
            { _ = try MaxPooling<Float>(inputShape: [1, 8], kernelSize: [0]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 8], kernelSize: [2], stride: [0]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 8], kernelSize: [2], dilation: [0]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 8], kernelSize: [3], padding: [-1]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 8], kernelSize: [3], padding: [2]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 2], kernelSize: [5], padding: [1]) },
            { _ = try MaxPooling<Float>(inputShape: [1, 4], kernelSize: [3], dilation: [3]) },
        ]
        for (i, f) in bad.enumerated() { #expect(throws: ConvAlgebraError.self, "case \(i)") { try f() } }
        let op = try MaxPooling<Float>(inputShape: [2, 8], kernelSize: [2])
        let x = Tensor<Float>(shape: try Shape([3, 2, 8]))
        #expect(throws: ConvAlgebraError.self) { try op.forward(Tensor<Float>(shape: Shape([2, 8, 2]))) }
        #expect(throws: ConvAlgebraError.self) { try op.jacobian(at: x) }   // three samples, not one
        #expect(throws: ConvAlgebraError.self) { try op.backward(Tensor<Float>(shape: Shape([2, 2, 4])), at: x) }
        #expect(throws: ConvAlgebraError.self) { try Selection<Float>(domain: Shape([4]), codomain: Shape([2]), sources: [0, 4]) }
    }
}
