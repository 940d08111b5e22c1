import ConvAlgebraCore
import ConvAlgebraBackends

/// Circular-boundary convolutions through explicit padding: wrap-pad the input, then run the fast
/// zero-boundary kernel on the padded geometry; the transpose runs the fast transposed kernel into the padded
/// plane, then folds it back.
///
/// Per dimension the circular geometry reads `c = i·s + o + t·e` wrapped into `[0, n)`. Every `c` the outputs
/// read lies in `[c₀, c₁]` with `c₀ = o + min(0, (K−1)·e)` and `c₁ = (m−1)·s + o + max(0, (K−1)·e)`, so with the
/// padded row `x̃[j] = x[(j + c₀) mod n]`, `j ∈ [0, c₁ − c₀]`, the same outputs are the zero-boundary
/// convolution with offset `o − c₀` over `x̃` (it never reads outside `x̃`):
/// ```
/// A = C̃ · P        (P: circular padding, P[j, (j + c₀) mod n] = 1;  C̃: the zero-boundary convolution)
/// Aᵀ = Pᵀ · C̃ᵀ     (Pᵀ folds: x[c] = Σ_{j : (j + c₀) mod n = c} x̃[j])
/// ```
/// - Complexity: the fast kernel's FLOPs on the padded geometry, plus one pass over the padded planes
///   (`C_in · ∏(c₁ − c₀ + 1)` per sample) to pad or fold; a scratch of the padded planes of at most
///   ``maximumScratch`` scalars (samples are processed in chunks that fit).
package struct CircularPaddingKernels: Sendable {
    /// The zero-boundary geometry over the padded input.
    package let padded: ConvolutionGeometry
    /// The wrap padding `P` of one input plane (and its transpose, the fold).
    package let padding: PlanePadding
    /// Scalars in one unpadded input plane.
    package let unpaddedPlane: Int

    /// Scratch limit in scalars (32 MiB of `Float`).
    package static let maximumScratch = 1 << 23

    /// The padded form of a circular geometry, or nil when there is none worth running: not circular, an empty
    /// output, a padded plane over four times the input's (the window wraps round the input many times),
    /// or one sample's padded planes over ``maximumScratch``.
    package init?(_ g: ConvolutionGeometry) {
        guard g.boundary == .circular, g.outputPlane > 0, g.inputPlane > 0 else { return nil }
        var size = [Int](), offset = [Int](), lo = [Int]()
        var plane = 1
        for d in 0..<g.rank {
            let n = g.inputSize[d], reach = (g.kernelSize[d] - 1) * g.tapStep[d]
            let first = g.offset[d] + min(0, reach)
            let last = (g.outputSize[d] - 1) * g.stride[d] + g.offset[d] + max(0, reach)
            let np = last - first + 1
            guard np > 0, np <= 4 * n + 64 else { return nil }
            let (p, overflow) = plane.multipliedReportingOverflow(by: np)
            guard !overflow, p <= Self.maximumScratch else { return nil }
            plane = p
            size.append(np); offset.append(g.offset[d] - first); lo.append(-first)
        }
        guard g.inChannels * plane <= Self.maximumScratch,
              let padded = try? ConvolutionGeometry(
                inputSize: size, outputSize: g.outputSize, kernelSize: g.kernelSize, stride: g.stride, offset: offset,
                tapStep: g.tapStep, boundary: .zero, inChannels: g.inChannels, outChannels: g.outChannels,
                groups: g.groups, hasChannelAxis: g.hasChannelAxis)
        else { return nil }
        self.padded = padded
        unpaddedPlane = g.inputPlane
        padding = PlanePadding(sizes: g.inputSize, lo: lo, size: size, boundary: .circular)
    }

    /// Samples per chunk: as many as fit in ``maximumScratch``, at least one.
    package func chunk(_ batch: Int) -> Int {
        max(1, min(batch, Self.maximumScratch / max(1, padded.inChannels * padded.inputPlane)))
    }

    // MARK: - Forward and transpose

    /// `y = C̃ (P x)` for `batch` samples, `inner` running `C̃` on the padded geometry.
    package func forward<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int,
                                          scratch: ScratchPool,
                                          inner: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) {
        chunks(T.self, batch: batch, scratch: scratch) { xp, b0, count, N in
            let cin = padded.inChannels, NP = padded.inputPlane
            Parallel.forEach(jobs: count * cin, work: count * cin * NP) { plane in
                padding.pad(x + (b0 * cin + plane) * N, into: xp + plane * NP)
            }
            inner(UnsafePointer(xp), y + b0 * padded.outChannels * padded.outputPlane, count)
        }
    }

    /// `x = Pᵀ (C̃ᵀ y)` for `batch` samples, `inner` running `C̃ᵀ` on the padded geometry.
    package func transpose<T: KernelScalar>(_ yIn: UnsafePointer<T>, _ xOut: UnsafeMutablePointer<T>, batch: Int,
                                            scratch: ScratchPool,
                                            inner: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) {
        chunks(T.self, batch: batch, scratch: scratch) { xp, b0, count, N in
            let cin = padded.inChannels, NP = padded.inputPlane
            inner(yIn + b0 * padded.outChannels * padded.outputPlane, xp, count)
            Parallel.forEach(jobs: count * cin, work: count * cin * NP) { plane in
                padding.fold(UnsafePointer(xp + plane * NP), into: xOut + (b0 * cin + plane) * N, count: N)
            }
        }
    }

    /// `body(paddedPlanes, firstSample, samples, unpaddedPlane)` per chunk of samples, the padded planes from `scratch`.
    private func chunks<T>(_: T.Type, batch: Int, scratch: ScratchPool,
                           _ body: (UnsafeMutablePointer<T>, Int, Int, Int) -> Void) {
        let step = chunk(batch), N = unpaddedPlane
        scratch.with(T.self, count: step * padded.inChannels * padded.inputPlane) { xp in
            for b0 in stride(from: 0, to: batch, by: step) { body(xp, b0, min(step, batch - b0), N) }
        }
    }
}
