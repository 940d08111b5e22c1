import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Down-sampling by `k` with phase `p`, `↓k`: keep every k-th sample, starting at `p`.
///
/// ```
/// y[i] = x[i·k + p],   i = 0 ..< ⌈(n − p)/k⌉
/// ```
/// For `k = 2, p = 0, n = 4` this is the reference text's matrix `(1 0 0 0 / 0 0 1 0)`.
/// Its transpose is up-sampling with the same phase, `↑k = ↓kᵀ` (the reference, "mutually transposed").
/// - Complexity: `⌈(n − p)/k⌉` copies per sample, no arithmetic.
public struct Downsample<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The factor `k ≥ 1`.
    public let factor: Int
    /// The phase `0 ≤ p`; samples `p, p + k, p + 2k, …` are kept.
    public let phase: Int
    /// The input length `n`.
    public let inputLength: Int

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `k < 1`, `p < 0`, `n < 0`, or `p ≥ n > 0`.
    public init(factor k: Int, phase p: Int = 0, inputLength n: Int) throws {
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the down-sampling factor must be at least 1, got \(k)") }
        guard p >= 0 else { throw ConvAlgebraError.invalidArgument("the phase must be non-negative, got \(p)") }
        guard n >= 0 else { throw ConvAlgebraError.invalidArgument("the input length must be non-negative, got \(n)") }
        guard p < k else { throw ConvAlgebraError.invalidArgument("the phase must be smaller than the factor \(k), got \(p)") }
        guard n == 0 || p < n else { throw ConvAlgebraError.invalidArgument("the phase \(p) is past the input length \(n)") }
        factor = k; phase = p; inputLength = n
    }

    /// The output length `⌈(n − p)/k⌉`.
    public var outputLength: Int { inputLength == 0 ? 0 : (inputLength - phase - 1) / factor + 1 }  // p < n: no overflow for any k

    public var domain: Shape { try! Shape([inputLength]) }
    public var codomain: Shape { try! Shape([outputLength]) }

    /// `↓kᵀ = ↑k`, with the same phase and the same long side.
    public var transposed: Upsample<Scalar> { Upsample(base: self) }

    public var taps: [Scalar] { [] }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for i in 0..<outputLength { body(i, i * factor + phase, -1, 1) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (m, k, p) = (outputLength, factor, phase)
        forEachSample(batch, x, stride: inputLength, y, stride: m) { xb, yb in
            for i in 0..<m { yb[i] = xb[i * k + p] }
        }
    }
}
