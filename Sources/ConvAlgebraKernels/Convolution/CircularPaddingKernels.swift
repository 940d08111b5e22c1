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
    /// Along the last dimension, the input index `(j + c₀) mod n` that padded position `j` copies.
    package let lastSources: [Int]
    /// For each padded row (outer dimensions, row-major), the flat start of the input row it copies.
    package let rowSources: [Int]
    /// The longest run of padded positions `run.start ..< run.start + run.count` copying consecutive input
    /// samples (the unwrapped middle of the row): copied as a block, not gathered.
    package let run: (start: Int, count: Int)

    /// Scratch limit in scalars (32 MiB of `Float`).
    package static let maximumScratch = 1 << 23

    /// The padded form of a circular geometry, or nil when there is none worth running: not circular, an empty
    /// output, a padded plane over four times the input's (the window wraps round the input many times),
    /// or one sample's padded planes over ``maximumScratch``.
    package init?(_ g: ConvolutionGeometry) {
        guard g.boundary == .circular, g.outputPlane > 0, g.inputPlane > 0 else { return nil }
        var size = [Int](), offset = [Int](), sources = [[Int]]()
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
            size.append(np); offset.append(g.offset[d] - first)
            sources.append((0..<np).map { j in let c = (j + first) % n; return c < 0 ? c + n : c })
        }
        guard g.inChannels * plane <= Self.maximumScratch,
              let padded = try? ConvolutionGeometry(
                inputSize: size, outputSize: g.outputSize, kernelSize: g.kernelSize, stride: g.stride, offset: offset,
                tapStep: g.tapStep, boundary: .zero, inChannels: g.inChannels, outChannels: g.outChannels,
                groups: g.groups, hasChannelAxis: g.hasChannelAxis)
        else { return nil }
        // The outer dimensions by an odometer: row-major strides of the unpadded plane.
        let r = g.rank
        var inStride = [Int](repeating: 1, count: r)
        for d in Swift.stride(from: r - 2, through: 0, by: -1) { inStride[d] = inStride[d + 1] * g.inputSize[d + 1] }
        var rowSources = [Int](), j = [Int](repeating: 0, count: r)
        rowSources.reserveCapacity(plane / size[r - 1])
        for _ in 0..<(plane / size[r - 1]) {
            var start = 0
            for d in 0..<(r - 1) { start += sources[d][j[d]] * inStride[d] }
            rowSources.append(start)
            var d = r - 2
            while d >= 0 { j[d] += 1; if j[d] < size[d] { break }; j[d] = 0; d -= 1 }
        }
        self.padded = padded; self.lastSources = sources[r - 1]; self.rowSources = rowSources
        var best = (start: 0, count: 0), start = 0
        let last = sources[r - 1]
        for j in 0..<last.count where j == last.count - 1 || last[j + 1] != last[j] + 1 {
            if j + 1 - start > best.count { best = (start, j + 1 - start) }
            start = j + 1
        }
        run = best
    }

    /// Samples per chunk: as many as fit in ``maximumScratch``, at least one.
    package func chunk(_ batch: Int) -> Int {
        max(1, min(batch, Self.maximumScratch / max(1, padded.inChannels * padded.inputPlane)))
    }

    // MARK: - Forward and transpose

    /// `y = C̃ (P x)` for `batch` samples, with `kernel` on the padded geometry.
    package func forward<T: KernelScalar>(_ kernel: ConvolutionKernel, _ w: UnsafePointer<T>, _ x: UnsafePointer<T>,
                                _ y: UnsafeMutablePointer<T>, batch: Int, unpaddedPlane N: Int) {
        let cin = padded.inChannels, NP = padded.inputPlane, M = padded.outputPlane, cout = padded.outChannels
        let step = chunk(batch)
        withUnsafeTemporaryAllocation(of: T.self, capacity: step * cin * NP) { scratch in
            let xp = scratch.baseAddress!
            for b0 in stride(from: 0, to: batch, by: step) {
                let count = min(step, batch - b0)
                Parallel.forEach(jobs: count * cin, work: count * cin * NP) { plane in
                    pad(x + (b0 * cin + plane) * N, into: xp + plane * NP)
                }
                ConvolutionKernels.forwardTyped(padded, kernel, w, UnsafePointer(xp), y + b0 * cout * M, batch: count)
            }
        }
    }

    /// `x = Pᵀ (C̃ᵀ y)` for `batch` samples, with `kernel` on the padded geometry.
    package func transpose<T: KernelScalar>(_ kernel: ConvolutionKernel, _ w: UnsafePointer<T>, _ yIn: UnsafePointer<T>,
                                  _ xOut: UnsafeMutablePointer<T>, batch: Int, unpaddedPlane N: Int) {
        let cin = padded.inChannels, NP = padded.inputPlane, M = padded.outputPlane, cout = padded.outChannels
        let step = chunk(batch)
        withUnsafeTemporaryAllocation(of: T.self, capacity: step * cin * NP) { scratch in
            let xp = scratch.baseAddress!
            for b0 in stride(from: 0, to: batch, by: step) {
                let count = min(step, batch - b0)
                ConvolutionKernels.transposeTyped(padded, kernel, w, yIn + b0 * cout * M, xp, batch: count)
                Parallel.forEach(jobs: count * cin, work: count * cin * NP) { plane in
                    fold(UnsafePointer(xp + plane * NP), into: xOut + (b0 * cin + plane) * N, count: N)
                }
            }
        }
    }

    // MARK: - One plane

    /// `x̃ = P x` for one plane: each padded row gathers its source row through the last dimension's table.
    package func pad<T: KernelScalar>(_ x: UnsafePointer<T>, into xp: UnsafeMutablePointer<T>) {
        let width = lastSources.count
        lastSources.withUnsafeBufferPointer { last in
            rowSources.withUnsafeBufferPointer { rows in
                let (a, b) = (run.start, run.start + run.count)
                for row in 0..<rows.count {
                    let src = x + rows[row], dst = xp + row * width
                    for j in 0..<a { dst[j] = src[last[j]] }
                    if b > a { (dst + a).update(from: src + last[a], count: b - a) }
                    for j in b..<width { dst[j] = src[last[j]] }
                }
            }
        }
    }

    /// `x = Pᵀ x̃` for one plane of `count` scalars: zero, then add every padded sample onto the one it copies.
    package func fold<T: KernelScalar>(_ xp: UnsafePointer<T>, into x: UnsafeMutablePointer<T>, count: Int) {
        x.update(repeating: 0, count: count)
        let width = lastSources.count
        lastSources.withUnsafeBufferPointer { last in
            rowSources.withUnsafeBufferPointer { rows in
                let (a, b) = (run.start, run.start + run.count)
                for row in 0..<rows.count {
                    let dst = x + rows[row], src = xp + row * width
                    for j in 0..<a { dst[last[j]] += src[j] }
                    if b > a { let d = dst + last[a]; for j in a..<b { d[j - a] += src[j] } }
                    for j in b..<width { dst[last[j]] += src[j] }
                }
            }
        }
    }
}
