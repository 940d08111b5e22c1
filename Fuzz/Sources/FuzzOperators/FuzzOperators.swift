import ConvAlgebra

/// libFuzzer's entry: the option values of the CLI's ops, read from the input as a family byte and signed
/// 64-bit integers (so 2⁶³ − 1, −2⁶³ and everything between are reachable), build an operator of that family
/// the way the CLI's op files do, with a 16 MiB budget. Errors are fine; a trap (an overflow, a `try!`),
/// an ASan report or an allocation past the budget is a finding. Operators that build are applied to one
/// sample when it is small, in every form, and must give finite outputs for a finite input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOperators(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = Reader(bytes: UnsafeBufferPointer(start: data, count: size))
    guard let family = reader.byte() else { return 0 }
    MemoryBudget.limit = 1 << 24
    let op: (any LinearOperator<Float>)?
    switch family % 9 {
    case 0:
        op = try? Convolution<Float>(kernel: reader.taps(), inputLength: reader.int(), mode: ConvolutionMode.allCases[Int(reader.byte() ?? 0) % 4],
                                     stride: reader.int(), dilation: reader.int())
    case 1:
        op = try? Downsample<Float>(factor: reader.int(), phase: reader.int(), inputLength: reader.int())
    case 2:
        op = try? Upsample<Float>(factor: reader.int(), inputLength: reader.int())
    case 3:
        let (cin, cout) = (reader.small(), reader.small())
        let k = [reader.small(), reader.small()]
        op = (try? ConvolutionLayer<Float>(
            inputShape: [cin, reader.int(), reader.int()], weight: Tensor.random(shape: [cout, cin] + k, seed: 1, budget: smallWeights),
            stride: [reader.int()], padding: .explicit(begin: [reader.int()], end: [reader.int()]), dilation: [reader.int()],
            groups: reader.small(), paddingMode: PaddingMode.allCases[Int(reader.byte() ?? 0) % 4]))?.linear
    case 4:
        let (cin, cout) = (reader.small(), reader.small())
        let k = [reader.small()]
        op = (try? TransposedConvolutionLayer<Float>(
            inputShape: [cin, reader.int()], weight: Tensor.random(shape: [cin, cout] + k, seed: 1, budget: smallWeights),
            stride: [reader.int()], padding: .explicit(begin: [reader.int()], end: [reader.int()]),
            outputPadding: [reader.int()], dilation: [reader.int()]))?.linear
    case 5:
        op = try? AveragePooling<Float>(inputShape: [reader.small(), reader.int(), reader.int()], kernelSize: [reader.int()],
                                        stride: [reader.int()], padding: [reader.int()], ceilMode: (reader.byte() ?? 0) & 1 == 1)
    case 6:
        if let pool = try? MaxPooling<Float>(inputShape: [reader.small(), reader.int()], kernelSize: [reader.int()],
                                             stride: [reader.int()], padding: [reader.int()], dilation: [reader.int()],
                                             ceilMode: (reader.byte() ?? 0) & 1 == 1),
           pool.domain.count <= 4096, pool.codomain.count <= 4096,
           let x = try? Tensor<Float>(shape: pool.domain, scalars: (0..<pool.domain.count).map { Float($0 % 7) }) {
            for form in [Form.direct, .dense, .sparse] { _ = try? pool.apply(x, form: form) }
        }
        op = nil
    case 7:
        op = try? Upsampling.make((reader.byte() ?? 0) & 1 == 0 ? .nearest : .linear,
                                  inputShape: [reader.small(), reader.int(), reader.int()], scale: [reader.int()], as: Float.self)
    default:
        op = try? ZeroPadding<Float>(inputSize: [reader.int()], begin: [reader.int()], end: [reader.int()])
    }
    guard let op, op.domain.count <= 4096, op.codomain.count <= 4096,
          let x = try? Tensor<Float>(shape: op.domain, scalars: (0..<op.domain.count).map { Float($0 % 5) - 2 }) else { return 0 }
    for form in [Form.direct, .dense, .sparse] {
        if let y = try? op.apply(x, form: form), !y.scalars.allSatisfy(\.isFinite) { fatalError("a finite input gave a non-finite output") }
        _ = try? op.anyTransposed.apply(Tensor<Float>(shape: op.codomain, repeating: 1), form: form)
    }
    return 0
}

/// At most 4096 weights: a larger weight is refused by the budget check before it is allocated.
let smallWeights = MemoryBudget(bytes: 4096 * MemoryLayout<Float>.stride)

/// Reads the fuzz input: bytes, and integers that are mostly small but reach the extremes.
struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    /// A tag byte picks the shape of the value: a small one (−2 … 61), a power-of-two neighbour, or 8 raw bytes.
    mutating func int() -> Int {
        guard let tag = byte() else { return 1 }
        switch tag >> 6 {
        case 0, 1: return Int(tag & 0x3F) - 2
        case 2:
            let e = Int(tag & 0x3F)
            return (1 << min(e, 62)) &+ (e > 62 ? Int.max - (1 << 62) : 0)
        default:
            var v: UInt64 = 0
            for _ in 0..<8 { v = v << 8 | UInt64(byte() ?? 0) }
            return Int(truncatingIfNeeded: v)
        }
    }

    /// A channel count or kernel extent: 1 … 4 mostly, anything sometimes.
    mutating func small() -> Int {
        let v = int()
        return v >= 1 && v <= 60 ? (v - 1) % 4 + 1 : v
    }

    /// A kernel of up to 16 taps.
    mutating func taps() -> [Float] {
        let n = Int(byte() ?? 1) % 17
        return (0..<n).map { Float($0 % 3) + 0.5 }
    }
}
