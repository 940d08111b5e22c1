import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Up-sampling by `k`, `↑k`: interleave `k − 1` zeros between the samples.
///
/// ```
/// y[i·k + p] = x[i],   y[j] = 0 for j ≢ p (mod k),   j = 0 ..< L
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

    package init(base: Downsample<Scalar>) { self.base = base }

    /// The factor `k ≥ 1`.
    public var factor: Int { base.factor }
    /// The phase `0 ≤ p < k`: where each input sample lands within its group of `k` outputs.
    public var phase: Int { base.phase }
    /// The output length `L`.
    public var outputLength: Int { base.inputLength }
    /// The input length `⌈(L − p)/k⌉`.
    public var inputLength: Int { base.outputLength }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (n, L, k, p) = (inputLength, outputLength, factor, phase)
        forEachSample(batch, x, stride: n, y, stride: L) { xb, yb in
            yb.update(repeating: 0, count: L)
            for i in 0..<n { yb[i * k + p] = xb[i] }
        }
    }
}
