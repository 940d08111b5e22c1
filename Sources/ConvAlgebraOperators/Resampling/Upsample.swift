import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Up-sampling by `k`, `↑k`: interleave `k − 1` zeros between the samples (along every axis in N-D).
///
/// ```
/// y[i·k + p] = x[i],   y[j] = 0 for j ≢ p (mod k),   j = 0 ..< L          (per axis in N-D)
/// ```
/// With the defaults (`p = 0`, `L = n·k`) this is the CLI's `upsample-zeros` and, for `k = 2, n = 2`,
/// the reference text's matrix `(1 0 / 0 0 / 0 1 / 0 0)`. Its transpose is ``Downsample`` with the
/// same phase: `↑k = ↓kᵀ`.
/// - Complexity: `L` writes per sample, no arithmetic.
public struct Upsample<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The down-sampling this is the transpose of: `↓k` with the same factor and phase on the `L` samples of
    /// this operator's output. Shapes, terms, forms and `transposed` follow from it (``SwappedStencil``).
    public let base: Downsample<Scalar>

    /// `↑k` on `n` samples: output length `n·k`, phase 0.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `k < 1` or `n < 0`; an overflow error.
    public init(factor k: Int, inputLength n: Int) throws {
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the up-sampling factor must be at least 1, got \(k)") }
        guard n >= 0 else { throw ConvAlgebraError.invalidArgument("the input length must be non-negative, got \(n)") }
        try self.init(factor: k, phase: 0, outputLength: try Checked.multiply(n, k, "the up-sampled length"))
    }

    /// `↑k` with phase `p` onto `L` samples: the transpose of `Downsample(factor: k, phase: p, inputLength: L)`.
    /// - Throws: the errors of ``Downsample/init(factor:phase:inputLength:)``.
    public init(factor k: Int, phase p: Int, outputLength L: Int) throws {
        base = try Downsample(factor: k, phase: p, inputLength: L)
    }

    /// `↑k` per axis of a sample of extents `inputSize`, phase 0: output extents `n·k`.
    /// - Throws: as ``init(factor:inputLength:)`` for any axis; for lists of different lengths; an overflow error.
    public init(factors: [Int], inputSize: [Int]) throws {
        guard factors.count == inputSize.count, !factors.isEmpty else {
            throw ConvAlgebraError.invalidArgument("up-sampling needs one factor per axis: factors \(factors), size \(inputSize)")
        }
        if let k = factors.first(where: { $0 < 1 }) {
            throw ConvAlgebraError.invalidArgument("the up-sampling factor must be at least 1, got \(k)")
        }
        let long = try zip(inputSize, factors).map { try Checked.multiply($0, $1, "the up-sampled length") }
        base = try Downsample(factors: factors, inputSize: long)
    }

    package init(base: Downsample<Scalar>) { self.base = base }

    /// The factors `k ≥ 1`, one per axis.
    public var factors: [Int] { base.factors }
    /// The phases, one per axis.
    public var phases: [Int] { base.phases }
    /// The last axis's factor `k ≥ 1` (the only one of a 1-D `↑k`).
    public var factor: Int { base.factor }
    /// The last axis's phase `0 ≤ p < k`: where each input sample lands within its group of `k` outputs.
    public var phase: Int { base.phase }
    /// The last axis's output length `L`.
    public var outputLength: Int { base.inputLength }
    /// The last axis's input length `⌈(L − p)/k⌉`.
    public var inputLength: Int { base.outputLength }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (n, L) = (domain.count, codomain.count)
        if base.inputSize.count == 1 {
            let (k, p) = (factor, phase)
            forEachSample(batch, x, stride: n, y, stride: L) { xb, yb in
                yb.update(repeating: 0, count: L)
                for i in 0..<n { yb[i * k + p] = xb[i] }
            }
            return
        }
        let target = base.sourceIndices()
        forEachSample(batch, x, stride: n, y, stride: L) { xb, yb in
            yb.update(repeating: 0, count: L)
            for i in 0..<n { yb[target[i]] = xb[i] }
        }
    }
}
