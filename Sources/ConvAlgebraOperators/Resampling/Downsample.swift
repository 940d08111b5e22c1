import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Down-sampling by `k` with phase `p`, `↓k`: keep every k-th sample, starting at `p`, along every axis.
///
/// ```
/// y[i] = x[i·k + p],   i = 0 ..< ⌈(n − p)/k⌉          (per axis: y[i…] = x[(i_d·k_d + p_d)…])
/// ```
/// For `k = 2, p = 0, n = 4` this is the reference text's matrix `(1 0 0 0 / 0 0 1 0)`. In N-D the factor and
/// phase are per axis; an axis with factor 1 (a channel axis) is kept whole.
/// Its transpose is up-sampling with the same phase, `↑k = ↓kᵀ` (the reference, "mutually transposed").
/// - Complexity: one copy per output, no arithmetic.
public struct Downsample<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The factors `k ≥ 1`, one per axis of the sample.
    public let factors: [Int]
    /// The phases `0 ≤ p < k`, one per axis; samples `p, p + k, p + 2k, …` are kept.
    public let phases: [Int]
    /// The input extents `n`, one per axis.
    public let inputSize: [Int]

    /// `↓k` with phase `p` on `n` samples.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `k < 1`, `p < 0`, `n < 0`, or `p ≥ n > 0`.
    public init(factor k: Int, phase p: Int = 0, inputLength n: Int) throws {
        try self.init(factors: [k], phases: [p], inputSize: [n])
    }

    /// `↓k` per axis of a sample of extents `inputSize` (phases 0 when omitted).
    /// - Throws: as ``init(factor:phase:inputLength:)`` for any axis; for lists of different lengths or none.
    public init(factors: [Int], phases: [Int]? = nil, inputSize: [Int]) throws {
        let phases = phases ?? Array(repeating: 0, count: factors.count)
        guard !factors.isEmpty, factors.count == inputSize.count, phases.count == factors.count else {
            throw ConvAlgebraError.invalidArgument(
                "down-sampling needs one factor and one phase per axis: factors \(factors), phases \(phases), size \(inputSize)")
        }
        for (k, (p, n)) in zip(factors, zip(phases, inputSize)) {
            guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the down-sampling factor must be at least 1, got \(k)") }
            guard p >= 0 else { throw ConvAlgebraError.invalidArgument("the phase must be non-negative, got \(p)") }
            guard n >= 0 else { throw ConvAlgebraError.invalidArgument("the input length must be non-negative, got \(n)") }
            guard p < k else { throw ConvAlgebraError.invalidArgument("the phase must be smaller than the factor \(k), got \(p)") }
            guard n == 0 || p < n else { throw ConvAlgebraError.invalidArgument("the phase \(p) is past the input length \(n)") }
        }
        _ = try Shape(inputSize)
        self.factors = factors; self.phases = phases; self.inputSize = inputSize
    }

    /// The output extents `⌈(n − p)/k⌉` per axis.
    public var outputSize: [Int] {
        (0..<inputSize.count).map { inputSize[$0] == 0 ? 0 : (inputSize[$0] - phases[$0] - 1) / factors[$0] + 1 }  // p < n: no overflow
    }

    /// The last axis's factor (the only one of a 1-D `↓k`).
    public var factor: Int { factors[factors.count - 1] }
    /// The last axis's phase.
    public var phase: Int { phases[phases.count - 1] }
    /// The last axis's input length.
    public var inputLength: Int { inputSize[inputSize.count - 1] }
    /// The last axis's output length `⌈(n − p)/k⌉`.
    public var outputLength: Int { outputSize[outputSize.count - 1] }

    public var domain: Shape { try! Shape(inputSize) }
    public var codomain: Shape { try! Shape(outputSize) }

    /// `↓kᵀ = ↑k`, with the same phase and the same long side.
    public var transposed: Upsample<Scalar> { Upsample(base: self) }

    public var taps: [Scalar] { [] }

    /// One term per output: `(i, i·k + p)`, flattened row-major.
    public var termCount: Int { codomain.count }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for (i, c) in sourceIndices().enumerated() { body(i, c, -1, 1) }
    }

    /// The flat input position `Σ_d (i_d·k_d + p_d)·stride_d` of every flat output position `i`.
    /// - Complexity: one entry per output.
    package func sourceIndices() -> [Int] {
        let out = outputSize
        let perAxis = (0..<out.count).map { d in (0..<out[d]).map { $0 * factors[d] + phases[d] } }
        let strides = Odometer.rowMajorStrides(inputSize)
        return Odometer.sums(out) { d, i in perAxis[d][i] * strides[d] }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let m = codomain.count, n = domain.count
        if inputSize.count == 1 {
            let (k, p) = (factor, phase)
            forEachSample(batch, x, stride: n, y, stride: m) { xb, yb in
                for i in 0..<m { yb[i] = xb[i * k + p] }
            }
            return
        }
        let source = sourceIndices()
        forEachSample(batch, x, stride: n, y, stride: m) { xb, yb in
            for i in 0..<m { yb[i] = xb[source[i]] }
        }
    }
}
