import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The boundary modes of 1-D DSP convolution, with NumPy's `numpy.convolve` semantics.
public enum ConvolutionMode: String, CaseIterable, Sendable {
    /// Every output that overlaps the input: length `n + K_d − 1`.
    case full
    /// Length `max(n, K_d)`, centred: full-mode outputs from `(min(n, K_d) − 1)/2` on.
    case same
    /// Only outputs with the kernel entirely inside: length `n − K_d + 1`; requires `K_d ≤ n`.
    case valid
    /// Periodic input: `y[i] = Σ_t q[t] · x[(i + (K_d−1)/2 − t·d) mod n]`, length `n`.
    case circular
}

extension ConvolutionGeometry {
    /// The geometry of `(↑d q) * x` in `mode`, then `↓k` (keep outputs `0, k, 2k, …`) — the DSP family
    /// of the reference text: `q * x`, strided `↓k(q * x)`, dilated `(↑d q) * x`.
    ///
    /// With `K_d = (K−1)·d + 1` the dilated kernel's length, full-mode output `j` reads `x[j − t·d]`;
    /// each mode keeps a window of full-mode outputs starting at `o` (0, `(min(n,K_d)−1)/2`, `K_d−1`,
    /// `(K_d−1)/2`), so `y[i] = Σ_t q[t] · x[i·k + o − t·d]`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `K < 1`, `n < 1`, `k < 1`, `d < 1`,
    ///   or `K_d > n` in `valid` mode.
    public static func dsp(kernelLength K: Int, inputLength n: Int, mode: ConvolutionMode,
                           stride k: Int = 1, dilation d: Int = 1) throws -> ConvolutionGeometry {
        guard K >= 1 else { throw ConvAlgebraError.invalidArgument("the kernel must have at least one tap, got \(K)") }
        guard n >= 1 else { throw ConvAlgebraError.invalidArgument("the input must have at least one sample, got \(n)") }
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the stride must be at least 1, got \(k)") }
        guard d >= 1 else { throw ConvAlgebraError.invalidArgument("the dilation must be at least 1, got \(d)") }
        let Kd = try Checked.add(try Checked.multiply(K - 1, d, "the dilated kernel length"), 1, "the dilated kernel length")
        let length: Int, offset: Int
        switch mode {
        case .full:
            length = try Checked.add(n, Kd - 1, "the full-mode length"); offset = 0
        case .same:
            length = max(n, Kd); offset = (min(n, Kd) - 1) / 2
        case .valid:
            guard Kd <= n else {
                throw ConvAlgebraError.invalidArgument(
                    "valid mode needs a kernel no longer than the input: dilated kernel length \(Kd) > input length \(n)")
            }
            length = n - Kd + 1; offset = Kd - 1
        case .circular:
            length = n; offset = (Kd - 1) / 2
        }
        return try ConvolutionGeometry(
            inputSize: [n], outputSize: [length == 0 ? 0 : (length - 1) / k + 1], kernelSize: [K], stride: [k], offset: [offset],
            tapStep: [-d], boundary: mode == .circular ? .circular : .zero)
    }
}

extension Convolution {
    /// The DSP convolution `y = ↓k((↑d q) * x)` in `mode`: `numpy.convolve(x, ↑d q, mode)[::k]`.
    ///
    /// ```
    /// y[i] = Σ_t q[t] · x[i·k + o − t·d]
    /// ```
    /// For `q = (q0, q1, q2)`, `n = 4`, `same` this is the reference text's matrix
    /// `(q1 q0 0 0 / q2 q1 q0 0 / 0 q2 q1 q0 / 0 0 q2 q1)`.
    /// - Throws: see ``ConvolutionGeometry/dsp(kernelLength:inputLength:mode:stride:dilation:)``.
    public init(kernel q: [Scalar], inputLength n: Int, mode: ConvolutionMode = .full, stride k: Int = 1, dilation d: Int = 1) throws {
        try self.init(geometry: .dsp(kernelLength: q.count, inputLength: n, mode: mode, stride: k, dilation: d), taps: q)
    }
}

extension TransposedConvolution {
    /// The reference text's transposed convolution `y = q * (↑k x)` on `n` input samples: `↑k` to `n·k`
    /// samples, then `(↑d q) *` in `mode` (`numpy.convolve(↑k x, ↑d q, mode)`).
    ///
    /// It is built as what the reference derives it to be, the transpose of a strided operator:
    /// `q * (↑k x) = (↓k (q*)ᵀ)ᵀ x`, whose forward form reads `ŷ[i] = Σ_t q[t] · z[i·k − o + t·d]`
    /// (a strided *correlation*), `o` the mode's offset.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` as for ``Convolution/init(kernel:inputLength:mode:stride:dilation:)``.
    public init(kernel q: [Scalar], stride k: Int, inputLength n: Int, mode: ConvolutionMode = .full, dilation d: Int = 1) throws {
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the stride must be at least 1, got \(k)") }
        guard n >= 1 else { throw ConvAlgebraError.invalidArgument("the input must have at least one sample, got \(n)") }
        let L = try Checked.multiply(n, k, "the up-sampled length")
        let g = try ConvolutionGeometry.dsp(kernelLength: q.count, inputLength: L, mode: mode, dilation: d)
        let forward = try ConvolutionGeometry(
            inputSize: g.outputSize, outputSize: [n], kernelSize: [q.count], stride: [k], offset: [-g.offset[0]],
            tapStep: [d], boundary: g.boundary)
        try self.init(geometry: forward, taps: q)
    }

    /// Nearest-neighbour up-sampling by `k` as the reference writes it, `(1 … 1) * (↑k x)`, keeping the
    /// first `n·k` samples: `y[j] = x[⌊j/k⌋]`. A transposed convolution with the all-ones kernel of length `k`.
    public static func nearestNeighbourUpsampling(factor k: Int, inputLength n: Int) throws -> TransposedConvolution {
        guard k >= 1 else { throw ConvAlgebraError.invalidArgument("the up-sampling factor must be at least 1, got \(k)") }
        guard n >= 1 else { throw ConvAlgebraError.invalidArgument("the input must have at least one sample, got \(n)") }
        let g = try ConvolutionGeometry(
            inputSize: [try Checked.multiply(n, k, "the up-sampled length")], outputSize: [n], kernelSize: [k],
            stride: [k], offset: [0], tapStep: [1])
        // The ones are not a learnable kernel: they print as 1 in symbolic matrices.
        return try TransposedConvolution(geometry: g, taps: Array(repeating: 1, count: k), tapsAreSymbols: false)
    }
}

/// Kernel fusion: the full convolution of two kernels, so that `a * (b * x) = (a * b) * x`.
///
/// `(1 1) * (q0 q1 q2) = (q0, q0+q1, q1+q2, q2)` — why nearest-neighbour up-sampling ×2 followed by a
/// 3-tap convolution is one transposed convolution with 4 taps (the reference text's last section).
public enum KernelFusion {
    /// The numeric fused kernel, `(a * b)[j] = Σ_t a[t] · b[j − t]`, length `|a| + |b| − 1`.
    public static func fused<S: BLASScalar>(_ a: [S], _ b: [S]) -> [S] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var r = [S](repeating: 0, count: a.count + b.count - 1)
        for (i, ai) in a.enumerated() { for (j, bj) in b.enumerated() { r[i + j] += ai * bj } }
        return r
    }

    /// The fused kernel of a numeric `a` with the symbolic kernel `(q0, …, q_{K−1})`.
    public static func fused(_ a: [Double], symbolicKernelLength K: Int) -> [SymbolicEntry] {
        guard !a.isEmpty, K >= 1 else { return [] }
        var r = [SymbolicEntry](repeating: .zero, count: a.count + K - 1)
        for (i, ai) in a.enumerated() { for t in 0..<K { r[i + t] = r[i + t] + SymbolicEntry(tap: t, coefficient: ai) } }
        return r
    }
}
