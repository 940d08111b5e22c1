@testable import ConvAlgebra
import Testing
import _TestSupport

@Suite struct UpsamplingTests {
    static let sizes: [([Int], [Int])] = [([5], [2]), ([4], [3]), ([3, 4], [2]), ([3, 2], [3, 2]), ([2, 3, 2], [2]), ([2, 2, 3], [3, 1, 2])]

    @Test(arguments: sizes.indices, [UpsamplingMode.nearest, .linear])
    func formsAgreeAndDotTest(_ i: Int, _ mode: UpsamplingMode) throws {
        let (n, k) = Self.sizes[i]
        try expectPoolFormsAgree(Upsampling.make(mode, inputShape: [2] + n, scale: k, as: Float.self))
        try expectPoolFormsAgree(Upsampling.make(mode, inputShape: [2] + n, scale: k, as: Double.self))
    }

    /// Nearest ×k, built as `↑k` then the all-ones kernel, is `y[j] = x[⌊j/k⌋]` per dimension.
    @Test(arguments: sizes.indices)
    func nearestRepeats(_ i: Int) throws {
        let (n, k0) = Self.sizes[i]
        let op = try Upsampling.nearest(inputShape: [2] + n, scale: k0, as: Double.self)
        let k = k0.count == 1 ? Array(repeating: k0[0], count: n.count) : k0
        var rng = SplitMix64(seed: 5)
        let x = try rng.tensor(op.domain.dims, Double.self)
        let y = try op.apply(x)
        let L = zip(n, k).map(*), N = n.reduce(1, *), M = L.reduce(1, *)
        for c in 0..<2 {
            for p in 0..<M {
                var q = p, src = 0, mul = 1
                for d in stride(from: n.count - 1, through: 0, by: -1) {
                    src += (q % L[d]) / k[d] * mul; mul *= n[d]; q /= L[d]
                }
                #expect(y.scalars[c * M + p] == x.scalars[c * N + src])
            }
        }
        // 1-D: the first n·k rows of the reference's `(1 … 1) * (↑k x)` written as a composition.
        if n.count == 1 {
            let up = try Upsample<Double>(factor: k[0], inputLength: n[0])
            let ones = try Convolution<Double>(kernel: Array(repeating: 1, count: k[0]), inputLength: n[0] * k[0], mode: .full)
            let full = try up.then(ones).dense()
            let a = try Upsampling.nearest(inputShape: [1] + n, scale: k, as: Double.self).dense()
            for r in 0..<a.rows { for c in 0..<a.columns { #expect(a[r, c] == full[r, c]) } }
        }
    }

    /// Linear interpolation weights are a partition of unity and reproduce linear ramps away from the border.
    @Test(arguments: sizes.indices)
    func linearPreservesConstantsAndRamps(_ i: Int) throws {
        let (n, k0) = Self.sizes[i]
        let op = try Upsampling.linear(inputShape: [1] + n, scale: k0, as: Double.self)
        let a = try op.dense()
        for r in 0..<a.rows {
            let s = (0..<a.columns).reduce(0.0) { $0 + a[r, $1] }
            #expect(abs(s - 1) < 1e-14)
        }
        if n.count == 1 {
            let k = k0[0]
            let x = try Tensor<Double>(shape: [n[0]], scalars: (0..<n[0]).map(Double.init))
            let y = try Interpolation<Double>(inputShape: [1] + [n[0]], scale: [k]).apply(Tensor(shape: [1, n[0]], scalars: x.scalars))
            for j in 0..<(n[0] * k) {
                let src = (Double(j) + 0.5) / Double(k) - 0.5
                if src >= 0 && src <= Double(n[0] - 1) { #expect(abs(y.scalars[j] - src) < 1e-12) }
            }
        }
    }

    /// Nearest ×k's transpose is the `k`-box sum pooling: `Πk` times average pooling with kernel and stride `k`.
    @Test(arguments: sizes.indices)
    func nearestTransposeIsSumPooling(_ i: Int) throws {
        let (n, k0) = Self.sizes[i]
        let k = k0.count == 1 ? Array(repeating: k0[0], count: n.count) : k0
        let up = try Upsampling.nearest(inputShape: [2] + n, scale: k, as: Double.self)
        let pool = try AveragePooling<Double>(inputShape: [2] + zip(n, k).map(*), kernelSize: k)
        let a = try up.transposed.dense(), b = try pool.dense()
        let volume = Double(k.reduce(1, *))
        #expect(a.rows == b.rows && a.columns == b.columns)
        #expect(poolMaxError(a.entries, b.entries.map { $0 * volume }) <= 1e-15)
    }

    /// The named operator is its transposed convolution `(1 … 1) * (↑k ·)`, entry for entry, both ways.
    @Test(arguments: sizes.indices)
    func nearestIsItsTransposedConvolution(_ i: Int) throws {
        let (n, k) = Self.sizes[i]
        let op = try Upsampling.nearest(inputShape: [2] + n, scale: k, as: Double.self)
        #expect(try op.dense() == op.convolution.dense())
        #expect(try op.transposed.dense() == op.convolution.transposed.dense())
        var rng = SplitMix64(seed: 12)
        let dy = try rng.tensor([2] + op.codomain.dims, Double.self)
        #expect(try op.backward(dy).scalars == op.convolution.transposed.apply(dy).scalars)
    }

    @Test func badArgumentsThrow() {
        #expect(throws: ConvAlgebraError.self) { try Upsampling.nearest(inputShape: [1, 4], scale: [0], as: Float.self) }
        #expect(throws: ConvAlgebraError.self) { try Upsampling.linear(inputShape: [1, 4], scale: [0], as: Float.self) }
        #expect(throws: ConvAlgebraError.self) { try Upsampling.linear(inputShape: [1, 4, 4], scale: [2, 2, 2], as: Float.self) }
        #expect(throws: ConvAlgebraError.self) { try Upsampling.nearest(inputShape: [0, 4], scale: [2], as: Float.self) }
        #expect(throws: ConvAlgebraError.self) { try Upsampling.linear(inputShape: [1, 0], scale: [2], as: Float.self) }
    }

    /// A linear dimension with scale 1 reads its own sample twice (weights 1 and 0), as PyTorch's "scale_factor
    /// = 1, simply copy" case, so `∞` there is `NaN` and the next sample is not read. Found by the differential
    /// fuzzer (scripts/difffuzz.py): the library read `x[j + 1]` with weight 0, putting `NaN` one place early.
    /// Expected values from `F.interpolate(x, scale_factor=…, mode='linear'|'bilinear', align_corners=False)`.
    @Test(arguments: Form.allCases)
    func aScaleOneDimensionReadsItsOwnSampleTwiceAsPyTorch(_ form: Form) throws {
        let inf = Double.infinity
        let line = try Upsampling.make(.linear, inputShape: [1, 4], scale: [1], as: Double.self)
        let y = try line.apply(try Tensor(shape: [1, 1, 4], scalars: [1, 2, inf, 3]), form: form).scalars
        #expect(y[0] == 1 && y[1] == 2 && y[2].isNaN && y[3] == 3, "\(y)")
        let g = try line.anyTransposed.apply(try Tensor(shape: [1, 1, 4], scalars: [0, inf, 0, 0]), form: form).scalars
        #expect(g[0] == 0 && g[1].isNaN && g[2] == 0 && g[3] == 0, "\(g)")
        let plane = try Upsampling.make(.linear, inputShape: [1] + [2, 2], scale: [1, 2], as: Double.self)
        let z = try plane.apply(try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, inf, 3]), form: form).scalars
        #expect(Array(z[0..<4]) == [1, 1.25, 1.75, 2] && z[4...6].allSatisfy(\.isNaN) && z[7] == 3, "\(z)")
    }
}
