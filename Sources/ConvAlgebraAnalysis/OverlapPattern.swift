import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The checkerboard overlap of an up-sampling operator: how many (input, tap) pairs land on each output.
///
/// It is the operator with an all-ones kernel applied to an all-ones input. For a transposed convolution
/// `q * (↑s x)` with `K` taps (dilation 1), output `c` receives the taps `t ≡ c − o (mod s)`: `⌈K/s⌉` of them
/// on some phases and `⌊K/s⌋` on others, so the pattern is uneven exactly when `s ∤ K`:
/// ```
/// K = 3, s = 2:  … 2 1 2 1 …    (checkerboard artefacts in 2-D: 4 2 4 2 / 2 1 2 1)
/// K = 4, s = 2:  … 2 2 2 2 …
/// ```
/// Resize-then-convolve (nearest-neighbour `↑s` followed by a stride-1 convolution, the alternative of
/// Odena et al.) gives `K` everywhere in the interior, whatever `K` and `s`.
///
/// Only the interior counts: near the ends fewer taps fall inside, which is a border effect, not a phase
/// effect. The interior leaves out `(K − 1)·|e| + s` outputs at each end of each dimension (all of a
/// dimension too short for that).
public struct OverlapPattern: Sendable, Equatable {
    /// The spatial shape of one output channel.
    public let shape: [Int]
    /// The count at each output position (row-major over `shape`), for one output channel and one input channel.
    public let counts: [Int]
    /// The up-sampling factor (stride) and the kernel size, per dimension.
    public let stride: [Int], kernelSize: [Int]
    /// The distinct interior counts of each phase (row-major over the phases `c mod s` per dimension), ascending.
    public let phaseCounts: [[Int]]

    /// Whether every interior output receives the same number of contributions.
    public var isEven: Bool { Set(phaseCounts.flatMap { $0 }).count <= 1 }

    /// The dimensions whose kernel size is not a multiple of the stride (the rule of thumb for unevenness).
    public var indivisibleDimensions: [Int] { (0..<stride.count).filter { kernelSize[$0] % stride[$0] != 0 } }

    /// The pattern of counts measured on `op`, which must have an all-ones kernel (`counts = op · 1`).
    /// - Parameters:
    ///   - op: the operator with its kernel replaced by ones; its codomain's trailing `shape.count` extents are spatial.
    ///   - channelShape: the spatial shape of one output channel (the codomain's last extents).
    ///   - margin: interior margin per dimension.
    package init<Op: LinearOperator>(ones op: Op, spatialShape: [Int], stride: [Int], kernelSize: [Int], margin: [Int]) throws {
        let ones = Tensor<Op.Scalar>(shape: op.domain, repeating: 1)
        let y = try op.apply(ones, form: .direct, budget: .default)
        let plane = spatialShape.reduce(1, *)
        counts = y.scalars.prefix(plane).map { Int(Double($0).rounded()) }
        shape = spatialShape
        self.stride = stride
        self.kernelSize = kernelSize
        let r = spatialShape.count
        let phases = try stride.reduce(1) { try Checked.multiply($0, $1, "the number of overlap phases") }
        try MemoryBudget.default.check("the overlap pattern's \(phases) phase sets", count: phases, elementBytes: MemoryLayout<Set<Int>>.stride)
        var sets = [Set<Int>](repeating: [], count: phases)
        var idx = [Int](repeating: 0, count: r)
        for flat in 0..<plane {
            var inside = true, phase = 0
            for d in 0..<r {
                let n = spatialShape[d], lo = margin[d], hi = n - margin[d]
                if lo < hi && !(idx[d] >= lo && idx[d] < hi) { inside = false }
                phase = phase * stride[d] + idx[d] % stride[d]
            }
            if inside { sets[phase].insert(counts[flat]) }
            var d = r - 1
            while d >= 0 { idx[d] += 1; if idx[d] < spatialShape[d] { break }; idx[d] = 0; d -= 1 }
        }
        phaseCounts = sets.map { $0.sorted() }
    }

    /// The overlap pattern of the transposed convolution over `geometry` (its own kernel replaced by ones,
    /// one channel in and out).
    /// - Throws: geometry errors; a memory-budget error for a huge output.
    public init(transposedConvolution g: ConvolutionGeometry) throws {
        let single = try ConvolutionGeometry(
            inputSize: g.inputSize, outputSize: g.outputSize, kernelSize: g.kernelSize, stride: g.stride,
            offset: g.offset, tapStep: g.tapStep, boundary: g.boundary, hasChannelAxis: g.hasChannelAxis)
        let op = try TransposedConvolution<Double>(geometry: single, taps: Array(repeating: 1, count: single.weightCount))
        let margin = (0..<g.rank).map { (g.kernelSize[$0] - 1) * abs(g.tapStep[$0]) + g.stride[$0] }
        try self.init(ones: op, spatialShape: g.inputSize, stride: g.stride, kernelSize: g.kernelSize, margin: margin)
    }

    /// The overlap pattern of resize-then-convolve on a spatial input of `inputSize`: nearest-neighbour
    /// up-sampling by `factor` (`(1 … 1) * (↑s x)` per dimension), then a stride-1 `same` convolution with an
    /// all-ones kernel of `kernelSize`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for mismatched lists or non-positive sizes.
    public init(resizeThenConvolve inputSize: [Int], factor: [Int], kernelSize: [Int]) throws {
        let r = inputSize.count
        guard r >= 1, factor.count == r, kernelSize.count == r else {
            throw ConvAlgebraError.invalidArgument("resize-then-convolve needs one factor and one kernel size per dimension")
        }
        guard inputSize.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("the input must be non-empty, got \(inputSize)")
        }
        let up = try (0..<r).map { try Checked.multiply(inputSize[$0], factor[$0], "the up-sampled size") }
        // Nearest neighbour ×s is the transpose of the ↓s-strided sum over s samples (all-ones kernel of length s).
        let resize = try ConvolutionGeometry(inputSize: up, outputSize: inputSize, kernelSize: factor, stride: factor,
                                             offset: [Int](repeating: 0, count: r), tapStep: [Int](repeating: 1, count: r))
        let nearest = try TransposedConvolution<Double>(geometry: resize, taps: Array(repeating: 1, count: resize.weightCount))
        let smooth = try ConvolutionGeometry(inputSize: up, outputSize: up, kernelSize: kernelSize,
                                             stride: [Int](repeating: 1, count: r),
                                             offset: kernelSize.map { -(($0 - 1) / 2) }, tapStep: [Int](repeating: 1, count: r))
        let conv = try Convolution<Double>(geometry: smooth, taps: Array(repeating: 1, count: smooth.weightCount))
        let margin = (0..<r).map { kernelSize[$0] + factor[$0] }
        try self.init(ones: try nearest.then(conv), spatialShape: up, stride: factor, kernelSize: kernelSize, margin: margin)
    }

    /// One line per phase, e.g. `phase (0, 1): 2` / `phase (1, 1): 1`, then the verdict.
    public var summary: String {
        var lines: [String] = []
        let r = stride.count
        for (p, counts) in phaseCounts.enumerated() {
            var rest = p, digits = [Int](repeating: 0, count: r)
            for d in Swift.stride(from: r - 1, through: 0, by: -1) { digits[d] = rest % stride[d]; rest /= stride[d] }
            let label = r == 1 ? "\(digits[0])" : "(" + digits.map(String.init).joined(separator: ", ") + ")"
            lines.append("phase \(label): " + counts.map(String.init).joined(separator: ", "))
        }
        let kernel = kernelSize.map(String.init).joined(separator: "×"), s = stride.map(String.init).joined(separator: "×")
        if isEven {
            lines.append("even: every interior output receives the same number of contributions (kernel \(kernel), stride \(s))")
        } else {
            lines.append("UNEVEN (checkerboard): kernel \(kernel) is not divisible by stride \(s) in dimension(s) "
                         + indivisibleDimensions.map(String.init).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
