import ConvAlgebraCore
import ConvAlgebraBackends

/// The direct (matrix-free) forms of the pooling family: gather (`y = P x` per plane), scatter
/// (`x = Pᵀ y` per plane) and max pooling with its arg-max.
///
/// Every loop runs over independent (sample, channel) planes, in parallel when the batch is large,
/// and writes every output element.
package enum PoolingKernels {
    package static let parallelThreshold = 1 << 16

    /// `y[plane][p] = Σ_e w[e] · x[plane][col[e]]` for `planes` planes.
    /// - Complexity: `2 · planes · nnz(P)` FLOPs.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func gather<S: BLASScalar>(_ s: PoolingPlaneStencil<S>, planes: Int,
                                      _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        forEachPlane(s, planes: planes) { ro, co, w, j in
            let xp = x + j * s.inputPlane, yp = y + j * s.outputPlane
            for p in 0..<s.outputPlane {
                var acc: S = 0
                for e in ro[p]..<ro[p + 1] { acc += w[e] * xp[Int(co[e])] }
                yp[p] = acc
            }
        }
    }

    /// `x[plane][col[e]] += w[e] · y[plane][p]` over all terms, `x` zeroed first: the transpose of ``gather``.
    /// - Complexity: `2 · planes · nnz(P)` FLOPs.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func scatter<S: BLASScalar>(_ s: PoolingPlaneStencil<S>, planes: Int,
                                       _ y: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>) {
        forEachPlane(s, planes: planes) { ro, co, w, j in
            let xp = x + j * s.inputPlane, yp = y + j * s.outputPlane
            xp.update(repeating: 0, count: s.inputPlane)
            for p in 0..<s.outputPlane {
                let v = yp[p]
                for e in ro[p]..<ro[p + 1] { xp[Int(co[e])] += w[e] * v }
            }
        }
    }

    /// Runs `body(rowOffsets, columns, weights, plane)` for each of `planes` planes, in parallel when the work
    /// is large: the driver of ``gather`` and ``scatter``.
    @inline(__always)
    private static func forEachPlane<S: BLASScalar>(
        _ s: PoolingPlaneStencil<S>, planes: Int,
        _ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<S>, Int) -> Void
    ) {
        s.rowOffsets.withUnsafeBufferPointer { ro in
            s.columns.withUnsafeBufferPointer { co in
                s.weights.withUnsafeBufferPointer { w in
                    Parallel.forEach(jobs: planes, work: planes * max(s.termCount, 1), threshold: parallelThreshold) { j in
                        body(ro, co, w, j)
                    }
                }
            }
        }
    }

    /// Max pooling over the windows of `map` (`M` windows of `K` taps, −1 = padding), per plane.
    ///
    /// PyTorch's rule (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, `cpu_max_pool`): start from `−∞` at the
    /// window's first in-range tap, scan the taps in row-major order and take a value when
    /// `val > max || isnan(val)`; so the first of tied maxima wins, and a NaN wins (the last NaN of the window).
    /// A window with no in-range tap gives `−∞` and index −1.
    /// - Complexity: `planes · M · K` comparisons.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func maxPool<S: BLASScalar>(_ map: [Int32], windows M: Int, taps K: Int, inputPlane N: Int, planes: Int,
                                       _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ index: UnsafeMutablePointer<Int>) {
        map.withUnsafeBufferPointer { mp in
            Parallel.forEach(jobs: planes, work: planes * M * K, threshold: parallelThreshold) { j in
                let xp = x + j * N, yp = y + j * M, ip = index + j * M
                for p in 0..<M {
                    var best = -S.infinity, arg = -1
                    for tau in 0..<K {
                        let c = Int(mp[p * K + tau])
                        guard c >= 0 else { continue }
                        if arg < 0 { arg = c }
                        let v = xp[c]
                        if v > best || v.isNaN { best = v; arg = c }
                    }
                    yp[p] = best
                    ip[p] = arg
                }
            }
        }
    }
}

// MARK: - Window-bounds kernels (up to three spatial dimensions)

extension PoolingKernels {
    /// Max pooling with per-dimension window bounds instead of a flat map: the same scan order and
    /// rules as ``maxPool(_:windows:taps:inputPlane:planes:_:_:_:)`` (PyTorch's `cpu_max_pool` loop), no
    /// index loads and no padding taps visited.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func maxPool<S: BLASScalar>(_ w: PoolingWindows, planes: Int, _ x: UnsafePointer<S>,
                                       _ y: UnsafeMutablePointer<S>, _ index: UnsafeMutablePointer<Int>) {
        let t = WindowTables(w)
        Parallel.forEach(jobs: planes, work: planes * t.M * t.taps, threshold: parallelThreshold) { j in
            let xp = x + j * t.N, yp = y + j * t.M, ip = index + j * t.M
            t.forEachWindow { o, sd, cd, sh, ch, sw, cw in
                var best = -S.infinity, arg = -1
                if cd > 0 && ch > 0 && cw > 0 {
                    arg = (sd * t.H + sh) * t.W + sw
                    for a in 0..<cd {
                        for b in 0..<ch {
                            let row = ((sd + a * t.dd) * t.H + sh + b * t.dh) * t.W + sw
                            for c in 0..<cw {
                                let v = xp[row + c * t.dw]
                                if v > best || v.isNaN { best = v; arg = row + c * t.dw }
                            }
                        }
                    }
                }
                yp[o] = best; ip[o] = arg
            }
        }
    }

    /// Window sums times a per-output weight, `y[p] = weight[p] · Σ_window x` (average pooling's forward).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func windowSum<S: BLASScalar>(_ w: PoolingWindows, weight: [S], planes: Int,
                                         _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        let t = WindowTables(w)
        weight.withUnsafeBufferPointer { wt in
            Parallel.forEach(jobs: planes, work: planes * t.M * t.taps, threshold: parallelThreshold) { j in
                let xp = x + j * t.N, yp = y + j * t.M
                t.forEachWindow { o, sd, cd, sh, ch, sw, cw in
                    var acc: S = 0
                    for a in 0..<cd {
                        for b in 0..<ch {
                            let row = xp + ((sd + a * t.dd) * t.H + sh + b * t.dh) * t.W + sw
                            if t.dw == 1 { for c in 0..<cw { acc += row[c] } } else { for c in 0..<cw { acc += row[c * t.dw] } }
                        }
                    }
                    yp[o] = acc * wt[o]
                }
            }
        }
    }
}

/// A ``PoolingWindows``' tables unpacked for the window-bounds kernels: the extents as plain integers and
/// the per-dimension starts and counts as local arrays, so the hot loops index plain arrays (no nested-array
/// retains), and the one loop over the output windows they all run.
private struct WindowTables {
    let H: Int, W: Int, OD: Int, OH: Int, OW: Int, dd: Int, dh: Int, dw: Int
    /// One input plane, one output plane, and the most taps a window has.
    let N: Int, M: Int, taps: Int
    let startD: [Int], startH: [Int], startW: [Int], countD: [Int], countH: [Int], countW: [Int]

    init(_ w: PoolingWindows) {
        (H, W) = (w.inputSize[1], w.inputSize[2])
        (OD, OH, OW) = (w.outputSize[0], w.outputSize[1], w.outputSize[2])
        (dd, dh, dw) = (w.dilation[0], w.dilation[1], w.dilation[2])
        N = w.inputSize.reduce(1, *); M = OD * OH * OW
        taps = max(1, w.count[0].max() ?? 1) * max(1, w.count[1].max() ?? 1) * max(1, w.count[2].max() ?? 1)
        (startD, startH, startW) = (w.start[0], w.start[1], w.start[2])
        (countD, countH, countW) = (w.count[0], w.count[1], w.count[2])
    }

    /// Calls `body(o, sd, cd, sh, ch, sw, cw)` for every output `o` of one plane in row-major order, with the
    /// first in-range tap `s·` and the in-range tap count `c·` of its window along each dimension.
    @inline(__always)
    func forEachWindow(_ body: (_ o: Int, _ sd: Int, _ cd: Int, _ sh: Int, _ ch: Int, _ sw: Int, _ cw: Int) -> Void) {
        var o = 0
        for od in 0..<OD {
            let (sd, cd) = (startD[od], countD[od])
            for oh in 0..<OH {
                let (sh, ch) = (startH[oh], countH[oh])
                for ow in 0..<OW {
                    body(o, sd, cd, sh, ch, startW[ow], countW[ow])
                    o += 1
                }
            }
        }
    }
}

// MARK: - Separable linear interpolation

/// One dimension of a linear interpolation: output `j` is `w0[j]·x[i0[j]] + w1[j]·x[i1[j]]`.
package struct InterpolationAxis<Scalar: BLASScalar>: Sendable, Equatable {
    package var i0: [Int] = [], i1: [Int] = [], w0: [Scalar] = [], w1: [Scalar] = []
    package var count: Int { i0.count }
    package init() {}
}

extension PoolingKernels {
    /// Linear interpolation one dimension at a time (last dimension first), through two scratch planes:
    /// `2` multiply-adds per element of each pass instead of `2^r` per output, and the inner loop runs over
    /// contiguous rows. Mathematically the tensor-product stencil (`w = Π_d w_d`); the rounding differs by ulps.
    /// - Complexity: `Σ_passes 2 · (elements after the pass)` multiply-adds per plane.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func separableLinear<S: BLASScalar>(_ axes: [InterpolationAxis<S>], inputSize: [Int], planes: Int,
                                               _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        let r = inputSize.count
        let out = axes.map(\.count)
        let N = inputSize.reduce(1, *), M = out.reduce(1, *)
        // Sizes after each pass but the last (pass a leaves dims < a as input, dims ≥ a as output).
        var scratch = 0
        for a in 1..<max(r, 1) { scratch = max(scratch, inputSize[..<a].reduce(1, *) * out[a...].reduce(1, *)) }
        Parallel.forEach(jobs: planes, work: planes * M * 2 * r, threshold: parallelThreshold) { j in
            withUnsafeTemporaryAllocation(of: S.self, capacity: max(1, 2 * scratch)) { buf in
                var shape = inputSize
                var src = x + j * N
                for a in stride(from: r - 1, through: 0, by: -1) {
                    let dst = a == 0 ? y + j * M : buf.baseAddress! + ((r - 1 - a) % 2) * scratch
                    let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
                    let ax = axes[a], L = ax.count
                    ax.i0.withUnsafeBufferPointer { i0 in
                        ax.i1.withUnsafeBufferPointer { i1 in
                            ax.w0.withUnsafeBufferPointer { w0 in
                                ax.w1.withUnsafeBufferPointer { w1 in
                                    for o in 0..<outer {
                                        let s0 = src + o * n * inner, d0 = dst + o * L * inner
                                        if inner == 1 {
                                            for q in 0..<L { d0[q] = w0[q] * s0[i0[q]] + w1[q] * s0[i1[q]] }
                                        } else {
                                            for q in 0..<L {
                                                let p0 = s0 + i0[q] * inner, p1 = s0 + i1[q] * inner, dq = d0 + q * inner
                                                let (a0, a1) = (w0[q], w1[q])
                                                for t in 0..<inner { dq[t] = a0 * p0[t] + a1 * p1[t] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    shape[a] = L
                    src = UnsafePointer(dst)
                }
            }
        }
    }
}
