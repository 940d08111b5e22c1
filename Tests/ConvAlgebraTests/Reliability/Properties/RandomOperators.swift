import ConvAlgebra
import Testing

/// Seeded random operators, one generator per operator family of `Sources/ConvAlgebraOperators`, for the
/// property tests. Shapes stay small (domains and codomains of at most a few hundred elements) so hundreds of
/// configurations per family materialise in milliseconds each.
///
/// A generator draws its options in ranges wider than every family accepts and draws again when the library
/// refuses them (an invalid configuration is the differential fuzzer's business, not a property's), so each
/// configuration returned is a valid one; what it drew is in its description, with the seed.
enum RandomOperators {
    enum Family: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case convolve, conv, convTranspose, avgPool, maxPoolJacobian, upsampling, padding, resampling, weightGradient
        var testDescription: String { rawValue }
    }

    /// One configuration: the operator and what was drawn, for failure messages.
    struct Drawn {
        let op: any LinearOperator<Double>
        let description: String
    }

    /// The configuration of `family` drawn from `seed`: the same seed gives the same operator.
    static func draw(_ family: Family, seed: UInt64) throws -> Drawn {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            if let drawn = try? make(family, &rng) { return drawn }
        }
        throw ConvAlgebraError.invalidArgument("no valid \(family) configuration in 200 draws from seed \(seed)")
    }

    private static func make(_ family: Family, _ rng: inout SplitMix64) throws -> Drawn {
        func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }
        func ints(_ d: Int, _ r: ClosedRange<Int>) -> [Int] { (0..<d).map { _ in int(r) } }
        func taps(_ n: Int) -> [Double] { (0..<n).map { _ in rng.nextSigned() } }
        func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }
        let d = int(1...3), sizes = [1: 2...12, 2: 1...6, 3: 1...4][d]!
        switch family {
        case .convolve:
            let (K, n, mode) = (int(1...7), int(1...30), pick(ConvolutionMode.allCases))
            let (k, dil) = (int(1...3), int(1...3))
            return Drawn(op: try Convolution(kernel: taps(K), inputLength: n, mode: mode, stride: k, dilation: dil),
                         description: "convolve K=\(K) n=\(n) mode=\(mode) stride=\(k) dilation=\(dil)")
        case .conv:
            let g = int(1...3), cin = g * int(1...2), cout = g * int(1...2)
            let K = ints(d, 1...3), S = ints(d, sizes), stride = ints(d, 1...2), dil = ints(d, 1...2)
            let padding: LayerPadding = pick([.valid, .same, .explicit(begin: ints(d, 0...2), end: ints(d, 0...2))])
            let mode = pick(PaddingMode.allCases)
            let layer = try ConvolutionLayer<Double>(
                inputShape: [cin] + S, weightShape: [cout, cin / g] + K, weight: taps(cout * cin / g * K.reduce(1, *)),
                stride: stride, padding: padding, dilation: dil, groups: g, paddingMode: mode)
            return Drawn(op: layer.linear, description: "conv x=\([cin] + S) w=\([cout, cin / g] + K) stride=\(stride) "
                         + "padding=\(padding) dilation=\(dil) groups=\(g) mode=\(mode)")
        case .convTranspose:
            let g = int(1...3), cin = g * int(1...2), cout = g * int(1...2)
            let K = ints(d, 1...3), S = ints(d, sizes), stride = ints(d, 1...3), dil = ints(d, 1...2)
            let pad = ints(d, 0...2), outPad = ints(d, 0...2)
            let layer = try TransposedConvolutionLayer<Double>(
                inputShape: [cin] + S, weightShape: [cin, cout / g] + K, weight: taps(cin * cout / g * K.reduce(1, *)),
                stride: stride, padding: .explicit(begin: pad, end: pad), outputPadding: outPad, dilation: dil, groups: g)
            return Drawn(op: layer.linear, description: "conv-transpose x=\([cin] + S) w=\([cin, cout / g] + K) "
                         + "stride=\(stride) padding=\(pad) output-padding=\(outPad) dilation=\(dil) groups=\(g)")
        case .avgPool:
            let (k, s, p, ceil, include) = (ints(d, 1...3), ints(d, 1...3), ints(d, 0...1), int(0...1) == 1, int(0...1) == 1)
            let S = ints(d, sizes)
            return Drawn(op: try AveragePooling<Double>(inputShape: [int(1...2)] + S, kernelSize: k, stride: s,
                                                        padding: p, ceilMode: ceil, countIncludePad: include),
                         description: "avg-pool size=\(S) kernel=\(k) stride=\(s) padding=\(p) ceil=\(ceil) include-pad=\(include)")
        case .maxPoolJacobian:
            let (k, s, p, dil, ceil) = (ints(d, 1...3), ints(d, 1...3), ints(d, 0...1), ints(d, 1...2), int(0...1) == 1)
            let S = ints(d, sizes)
            let pool = try MaxPooling<Double>(inputShape: [int(1...2)] + S, kernelSize: k, stride: s, padding: p,
                                              dilation: dil, ceilMode: ceil)
            let x = try Tensor(shape: pool.domain, scalars: taps(pool.domain.count))
            return Drawn(op: try pool.jacobian(at: x), description: "max-pool Jacobian size=\(S) kernel=\(k) stride=\(s) "
                         + "padding=\(p) dilation=\(dil) ceil=\(ceil)")
        case .upsampling:
            let (mode, scale, S) = (pick(UpsamplingMode.allCases), ints(d, 1...3), ints(d, 1...5))
            return Drawn(op: try Upsampling.make(mode, inputShape: [int(1...2)] + S, scale: scale, as: Double.self),
                         description: "upsample \(mode) size=\(S) scale=\(scale)")
        case .padding:
            let (S, b, e, mode) = (ints(d, sizes), ints(d, 0...3), ints(d, 0...3), pick(PaddingMode.allCases))
            let geometry = try PaddingGeometry(inputSize: S, begin: b, end: e, mode: mode, channels: int(1...2), hasChannelAxis: true)
            return Drawn(op: geometry.padding(Double.self), description: "pad \(mode) size=\(S) begin=\(b) end=\(e)")
        case .resampling:
            let (k, n) = (int(1...5), int(1...30))
            let p = int(0...(k - 1))
            if int(0...1) == 0 {
                return Drawn(op: try Downsample<Double>(factor: k, phase: p, inputLength: n), description: "↓\(k) phase \(p) n=\(n)")
            }
            return Drawn(op: try Upsample<Double>(factor: k, phase: p, outputLength: n), description: "↑\(k) phase \(p) length \(n)")
        case .weightGradient:
            let g = int(1...2), cin = g * int(1...2), cout = g * int(1...2)
            let K = ints(d, 1...3), S = ints(d, sizes), stride = ints(d, 1...2)
            let w = taps(cout * cin / g * K.reduce(1, *))
            if int(0...1) == 0 {
                let layer = try ConvolutionLayer<Double>(inputShape: [cin] + S, weightShape: [cout, cin / g] + K, weight: w,
                                                         stride: stride, padding: .explicit(begin: ints(d, 0...1), end: ints(d, 0...1)), groups: g)
                return Drawn(op: try layer.weightGradient(at: taps(layer.domain.count)),
                             description: "conv weight gradient x=\([cin] + S) w=\([cout, cin / g] + K) stride=\(stride) groups=\(g)")
            }
            let layer = try TransposedConvolutionLayer<Double>(inputShape: [cout] + S, weightShape: [cout, cin / g] + K, weight: w,
                                                               stride: stride, groups: g)
            return Drawn(op: try layer.weightGradient(at: taps(layer.domain.count)),
                         description: "conv-transpose weight gradient x=\([cout] + S) w=\([cout, cin / g] + K) stride=\(stride) groups=\(g)")
        }
    }
}
