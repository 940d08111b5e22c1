import ConvAlgebraCore

/// Copies a plane of extents `sizes` into a larger one of extents `size`, the source starting `lo` into it, the
/// border zero or wrapped (circular): the one plane padder of the kernels (the indirect convolution's zero-padded
/// source, the circular boundary's wrap padding), writing each element of the padded plane once.
///
/// Per dimension, padded position `j` reads source index `j − lo` — or nothing (zero) outside `0 ..< n` for the
/// zero boundary, `(j − lo) mod n` for the circular one:
/// ```
/// x̃[j] = x[(j − lo) mod n]   (circular)        x̃[j] = x[j − lo] or 0   (zero)
/// ```
/// ``fold(_:into:count:)`` is the transpose (`x[c] = Σ_{j ↦ c} x̃[j]`, the circular boundary's `Pᵀ`).
package struct PlanePadding: Sendable {
    /// Along the last dimension, the source index padded position `j` copies, or −1 (zero).
    package let lastSources: [Int]
    /// For each padded row (outer dimensions, row-major), the flat start of the source row it copies, or −1.
    package let rowSources: [Int]
    /// The longest run `start ..< start + count` of padded positions copying consecutive source samples: a block copy.
    package let run: (start: Int, count: Int)
    /// Scalars in a padded plane.
    package let paddedCount: Int

    package init(sizes: [Int], lo: [Int], size: [Int], boundary: ConvolutionGeometry.Boundary) {
        let r = sizes.count
        let sources: [[Int]] = (0..<r).map { d in
            let n = sizes[d]
            return (0..<size[d]).map { j in
                let c = j - lo[d]
                if c >= 0 && c < n { return c }
                guard boundary == .circular, n > 0 else { return -1 }
                let w = c % n
                return w < 0 ? w + n : w
            }
        }
        let inStride = Odometer.rowMajorStrides(sizes)
        let outer = Array(size.dropLast())
        rowSources = Odometer.indices(outer).map { j in
            var start = 0
            for d in 0..<(r - 1) {
                let c = sources[d][j[d]]
                if c < 0 { return -1 }
                start += c * inStride[d]
            }
            return start
        }
        let last = sources[r - 1]
        lastSources = last
        var best = (start: 0, count: 0), start = 0
        for j in 0..<last.count where j == last.count - 1 || last[j] < 0 || last[j + 1] != last[j] + 1 {
            if last[j] >= 0, j + 1 - start > best.count { best = (start, j + 1 - start) }
            start = j + 1
        }
        run = best
        paddedCount = size.reduce(1, *)
    }

    /// `x̃ = P x` for one plane: each padded row gathers its source row through the last dimension's table.
    @inline(__always)
    package func pad<T: KernelScalar>(_ x: UnsafePointer<T>, into xp: UnsafeMutablePointer<T>) {
        let width = lastSources.count
        lastSources.withUnsafeBufferPointer { last in
            rowSources.withUnsafeBufferPointer { rows in
                let (a, b) = (run.start, run.start + run.count)
                for row in 0..<rows.count {
                    let dst = xp + row * width
                    guard rows[row] >= 0 else { dst.update(repeating: 0, count: width); continue }
                    let src = x + rows[row]
                    for j in 0..<a { dst[j] = last[j] < 0 ? 0 : src[last[j]] }
                    if b > a { (dst + a).update(from: src + last[a], count: b - a) }
                    for j in b..<width { dst[j] = last[j] < 0 ? 0 : src[last[j]] }
                }
            }
        }
    }

    /// `x = Pᵀ x̃` for one plane of `count` scalars: zero, then add every padded sample onto the one it copies.
    @inline(__always)
    package func fold<T: KernelScalar>(_ xp: UnsafePointer<T>, into x: UnsafeMutablePointer<T>, count: Int) {
        x.update(repeating: 0, count: count)
        let width = lastSources.count
        lastSources.withUnsafeBufferPointer { last in
            rowSources.withUnsafeBufferPointer { rows in
                let (a, b) = (run.start, run.start + run.count)
                for row in 0..<rows.count where rows[row] >= 0 {
                    let dst = x + rows[row], src = xp + row * width
                    for j in 0..<a where last[j] >= 0 { dst[last[j]] += src[j] }
                    if b > a { let d = dst + last[a]; for j in a..<b { d[j - a] += src[j] } }
                    for j in b..<width where last[j] >= 0 { dst[last[j]] += src[j] }
                }
            }
        }
    }
}
