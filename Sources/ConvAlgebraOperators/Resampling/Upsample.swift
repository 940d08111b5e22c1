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
public struct Upsample<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The factor `k ≥ 1`.
    public let factor: Int
    /// The phase `0 ≤ p < k`: where each input sample lands within its group of `k` outputs.
    public let phase: Int
    /// The output length `L`.
    public let outputLength: Int

    /// `↑k` on `n` samples: output length `n·k`, phase 0.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `k < 1` or `n < 0`; an overflow error.
    public init(factor k: Int, inputLength n: Int) throws {
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the up-sampling factor must be at least 1, got \(k)") }
        guard n >= 0 else { throw ConvAlgebraError.invalidArgument("the input length must be non-negative, got \(n)") }
        self.init(uncheckedFactor: k, phase: 0, outputLength: try Checked.multiply(n, k, "the up-sampled length"))
    }

    /// `↑k` with phase `p` onto `L` samples: the transpose of `Downsample(factor: k, phase: p, inputLength: L)`.
    public init(factor k: Int, phase p: Int, outputLength L: Int) throws {
        let d = try Downsample<Scalar>(factor: k, phase: p, inputLength: L)
        self = d.transposed
    }

    package init(uncheckedFactor k: Int, phase p: Int, outputLength L: Int) {
        factor = k; phase = p; outputLength = L
    }

    /// The input length `⌈(L − p)/k⌉`.
    public var inputLength: Int { outputLength == 0 ? 0 : (outputLength - phase - 1) / factor + 1 }  // p < L: no overflow for any k

    public var domain: Shape { try! Shape([inputLength]) }
    public var codomain: Shape { try! Shape([outputLength]) }

    public var transposed: Downsample<Scalar> { try! Downsample(factor: factor, phase: phase, inputLength: outputLength) }

    public var taps: [Scalar] { [] }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for i in 0..<inputLength { body(i * factor + phase, i, -1, 1) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (n, L, k, p) = (inputLength, outputLength, factor, phase)
        for b in 0..<batch {
            let xb = x + b * n, yb = y + b * L
            yb.update(repeating: 0, count: L)
            for i in 0..<n { yb[i * k + p] = xb[i] }
        }
    }
}
