import ConvAlgebra
import Foundation
import Testing

/// Non-finite values give the same numbers in every form (issue 13): for seeded random configurations of
/// every operator family, and batches where some samples hold `NaN`, `+∞`, `−∞` and signed zeros, the direct,
/// dense and sparse forms (forward and transpose) put `NaN` in the same places, the same signed infinities in
/// the same places, and agree within tolerance elsewhere. Signed zeros compare equal: the sign of a zero
/// result is not specified across forms (a GEMM sums `+0` structural terms that a stencil never adds).
///
/// Before the fix the dense form's GEMM multiplied structural zeros by `∞`: one `+∞` in a conv sample made
/// most of its outputs `NaN`, and every family below failed.
@Suite struct NonFiniteFormsTests {
    /// Operator families and a seeded generator of random configurations for each.
    static let families = ["convolve", "conv1d", "conv2d", "conv-transpose2d", "avg-pool2d", "upsample-nearest",
                           "upsample-linear", "downsample", "upsample-zeros", "padding", "convolve-long"]

    static func make(_ family: String, _ rng: inout SplitMix64) throws -> any LinearOperator<Double> {
        func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        func taps(_ n: Int) -> [Double] { (0..<n).map { _ in rng.nextSigned() } }
        switch family {
        case "convolve":
            let n = int(4...24), K = int(1...5)
            let mode = ConvolutionMode.allCases[int(0...3)]
            let d = int(1...2)
            return try Convolution(kernel: taps(K), inputLength: max(n, (K - 1) * d + 1), mode: mode, stride: int(1...3), dilation: d)
        case "convolve-long":
            // Long enough for the overlap-add FFT kernel.
            return try Convolution(kernel: taps(int(60...90)), inputLength: int(100...300), mode: .full)
        case "conv1d":
            let (cin, cout, K) = (int(1...3), int(1...3), int(1...4))
            return try ConvolutionLayer(inputShape: [cin, int(K...12)], weightShape: [cout, cin, K], weight: taps(cout * cin * K),
                                        stride: [int(1...2)], padding: .explicit(begin: [int(0...1)], end: [int(0...1)])).linear
        case "conv2d":
            let (cin, cout, K) = (int(1...3), int(1...4), int(1...3))
            return try ConvolutionLayer(inputShape: [cin, int(max(K, 2)...7), int(max(K, 2)...7)], weightShape: [cout, cin, K, K],
                                        weight: taps(cout * cin * K * K), stride: [int(1...2)], padding: .explicit(begin: [1, 1], end: [1, 1]),
                                        paddingMode: [PaddingMode.zeros, .circular, .reflect, .replicate][int(0...3)]).linear
        case "conv-transpose2d":
            let (cin, cout, K) = (int(1...3), int(1...3), int(1...3))
            return try TransposedConvolutionLayer(inputShape: [cin, int(1...5), int(1...5)], weightShape: [cin, cout, K, K],
                                                  weight: taps(cin * cout * K * K), stride: [int(1...2)]).linear
        case "avg-pool2d":
            let k = int(1...3)
            return try AveragePooling(inputShape: [int(1...2), int(k...7), int(k...7)], kernelSize: [k],
                                      stride: [int(1...2)], padding: [int(0...k / 2)], countIncludePad: int(0...1) == 1)
        case "upsample-nearest":
            return try Upsampling.make(.nearest, inputShape: [int(1...2), int(1...5), int(1...5)], scale: [int(1...3)])
        case "upsample-linear":
            return try Upsampling.make(.linear, inputShape: [int(1...2), int(1...5), int(1...5)], scale: [int(1...3)])
        case "downsample":
            let k = int(1...4)
            return try Downsample(factor: k, phase: int(0...(k - 1)), inputLength: int(k...20))
        case "upsample-zeros":
            return try Upsample(factor: int(1...4), inputLength: int(1...12))
        case "padding":
            let n = int(3...8)
            if int(0...1) == 0 { return try ZeroPadding(inputSize: [n], begin: [int(0...2)], end: [int(0...2)]) }
            return try BorderPadding(inputSize: [n], begin: [int(0...2)], end: [int(0...2)], mode: [PaddingMode.reflect, .replicate, .circular][int(0...2)])
        default:
            fatalError("unknown family \(family)")
        }
    }

    /// A batch of 4 samples: the first finite, the others with a few `NaN`, `±∞` and `±0` at random places.
    static func hostileBatch(_ domain: Shape, _ rng: inout SplitMix64) throws -> Tensor<Double> {
        let n = domain.count
        var v = (0..<(4 * n)).map { _ in rng.nextSigned() }
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0]
        for b in 1..<4 {
            for _ in 0..<Int(1 + rng.next() % 3) {
                v[b * n + Int(rng.next() % UInt64(n))] = specials[Int(rng.next() % UInt64(specials.count))]
            }
        }
        return try Tensor(shape: [4] + domain.dims, scalars: v)
    }

    static func expectSameNumbers(_ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values", sourceLocation: sourceLocation)
        for (i, (p, q)) in zip(a, b).enumerated() {
            let same = p.isNaN ? q.isNaN : p.isInfinite ? q == p : (q.isFinite && abs(p - q) <= 1e-9 + 1e-9 * abs(p))
            if !same {
                Issue.record("\(what): element \(i) is \(p) in the direct form, \(q) here", sourceLocation: sourceLocation)
                return
            }
        }
    }

    @Test(arguments: families)
    func everyFormGivesTheDirectFormsNonFiniteValues(_ family: String) throws {
        var rng = SplitMix64(seed: 0x13_0000 &+ UInt64(family.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
        for _ in 0..<40 {
            let op = try Self.make(family, &rng)
            for (a, name) in [(op, "\(family)"), (op.anyTransposed, "\(family)ᵀ")] {
                guard a.domain.count > 0 else { continue }
                let x = try Self.hostileBatch(a.domain, &rng)
                let direct = try a.apply(x, form: .direct, budget: .unlimited).scalars
                for form in [Form.dense, .sparse] {
                    Self.expectSameNumbers(direct, try a.apply(x, form: form, budget: .unlimited).scalars,
                                           "\(name) on \(a.domain), \(form) form")
                }
            }
        }
    }

    /// Max pooling: NaN propagates, `−∞` windows and empty windows give `−∞`, in every form (PyTorch's answers).
    @Test func maxPoolingAgreesOnNonFiniteInputsAndEmptyWindows() throws {
        var rng = SplitMix64(seed: 0x13_3A7)
        for _ in 0..<60 {
            func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
            let k = int(1...3), d = int(1...3), span = (k - 1) * d + 1
            let pool = try MaxPooling<Double>(inputShape: [int(1...2), int(span...span + 4), int(span...span + 4)], kernelSize: [k],
                                              stride: [int(1...2)], padding: [int(0...(k / 2))], dilation: [d])
            let x = try Self.hostileBatch(pool.domain, &rng)
            let direct = try pool.apply(x, form: .direct).scalars
            for form in [Form.dense, .sparse] {
                Self.expectSameNumbers(direct, try pool.apply(x, form: form).scalars, "max-pool \(pool.geometry), \(form) form")
            }
        }
    }

    /// The overlap-add FFT kernel (a long 1-D kernel) used to spread one `+∞` over its whole transform block
    /// (8192 `NaN`s); a sample holding a non-finite value now runs term by term: `K` outputs `+∞`, no `NaN`.
    @Test func theFFTKernelDoesNotSpreadAnInfinity() throws {
        var rng = SplitMix64(seed: 0x13_FF7)
        let K = 300, n = 4000
        let q = (0..<K).map { _ in 0.5 + 0.5 * abs(rng.nextSigned()) }
        let op = try Convolution(kernel: q, inputLength: n, mode: .full)
        var x = (0..<(2 * n)).map { _ in rng.nextSigned() }
        x[n + 150] = .infinity
        let y = try op.apply(try Tensor(shape: [2, n], scalars: x)).scalars
        let second = y[(n + K - 1)...]
        #expect(second.filter(\.isNaN).isEmpty)
        #expect(second.filter { $0 == .infinity }.count == K)
        let first = y[..<(n + K - 1)]
        #expect(first.allSatisfy { $0.isFinite })
    }

    /// Issue 13's case: a window with no input element pools to `−∞` in every form, as in PyTorch.
    @Test(arguments: [Form.direct, .dense, .sparse])
    func anEmptyMaxPoolWindowIsMinusInfinity(_ form: Form) throws {
        let pool = try MaxPooling<Float>(inputShape: [1, 1], kernelSize: [2], padding: [1], dilation: [2])
        let y = try pool.apply(try Tensor(shape: [1, 1, 1], scalars: [1.5]), form: form)
        #expect(y.scalars == [-.infinity, -.infinity] || y.scalars.allSatisfy { $0 == -.infinity }, "\(y.scalars)")
    }

    /// PyTorch's avg_pool3d rejects an input smaller than the kernel along an axis, padding or not.
    @Test func avgPool3dRejectsAnInputSmallerThanTheKernel() throws {
        #expect(throws: ConvAlgebraError.self) {
            try AveragePooling<Float>(inputShape: [1, 1, 1, 1], kernelSize: [2, 1, 1], padding: [1, 0, 0])
        }
        // avg_pool2d accepts the same thing in two dimensions, as PyTorch does.
        _ = try AveragePooling<Float>(inputShape: [1, 1, 1], kernelSize: [2, 1], padding: [1, 0])
    }
}
