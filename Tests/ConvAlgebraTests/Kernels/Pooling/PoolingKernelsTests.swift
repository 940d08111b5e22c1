@testable import ConvAlgebraKernels
import ConvAlgebraCore
import Testing

/// The pooling kernels against plain loops written from the definitions: gather and scatter are `P x` and
/// `Pᵀ y` of the dense matrix of their stencil; max pooling and window sums scan the window
/// `i·s − p + t·d` (PyTorch's index map, floor-mode output length `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`); the
/// flat-map and window-bounds max pools agree; separable interpolation is the tensor product of its axes.
@Suite struct PoolingKernelsTests {
    /// A 3 × 5 stencil with an empty row and repeated columns, and its dense matrix.
    static let stencil = PoolingPlaneStencil<Double>(
        inputPlane: 5, outputPlane: 3, rowOffsets: [0, 3, 3, 6], columns: [0, 2, 4, 1, 1, 3], weights: [0.5, -1, 2, 3, 0.25, -4])
    static func dense(_ s: PoolingPlaneStencil<Double>) -> [[Double]] {
        var a = [[Double]](repeating: [Double](repeating: 0, count: s.inputPlane), count: s.outputPlane)
        for r in 0..<s.outputPlane { for e in s.rowOffsets[r]..<s.rowOffsets[r + 1] { a[r][Int(s.columns[e])] += s.weights[e] } }
        return a
    }

    static func values(_ n: Int, seed: Int) -> [Double] { (0..<n).map { Double((($0 + seed) * 7919) % 61) / 8 - 3.5 } }

    @Test(arguments: [1, 4])
    func gatherAndScatterAreTheStencilMatrixAndItsTranspose(planes: Int) {
        let s = Self.stencil, a = Self.dense(s)
        let x = Self.values(5 * planes, seed: 1), y = Self.values(3 * planes, seed: 2)
        var px = [Double](repeating: .nan, count: 3 * planes), pty = [Double](repeating: .nan, count: 5 * planes)
        x.withUnsafeBufferPointer { xp in px.withUnsafeMutableBufferPointer { PoolingKernels.gather(s, planes: planes, xp.baseAddress!, $0.baseAddress!) } }
        y.withUnsafeBufferPointer { yp in pty.withUnsafeMutableBufferPointer { PoolingKernels.scatter(s, planes: planes, yp.baseAddress!, $0.baseAddress!) } }
        for j in 0..<planes {
            for r in 0..<3 { #expect(abs(px[j * 3 + r] - (0..<5).reduce(0.0) { $0 + a[r][$1] * x[j * 5 + $1] }) < 1e-12) }
            for c in 0..<5 { #expect(abs(pty[j * 5 + c] - (0..<3).reduce(0.0) { $0 + a[$1][c] * y[j * 3 + $1] }) < 1e-12) }
        }
    }

    /// A pooling case: spatial input, kernel, stride, padding, dilation (floor mode).
    typealias Case = (n: [Int], k: [Int], s: [Int], p: [Int], d: [Int])
    static let cases: [Case] = {
        var c = [Case]()
        c.append(([11], [3], [2], [1], [1]))
        c.append(([10], [2], [2], [0], [1]))
        c.append(([13], [3], [1], [1], [2]))
        c.append(([7, 9], [3, 3], [2, 2], [1, 1], [1, 1]))
        c.append(([6, 8], [2, 3], [1, 2], [0, 1], [2, 1]))
        c.append(([4, 5, 6], [2, 2, 3], [2, 1, 2], [1, 0, 1], [1, 2, 1]))
        return c
    }()

    /// Every window of `c` on one plane, as lists of flat input positions in row-major tap order.
    static func windows(_ c: Case) -> [[Int]] {
        let r = c.n.count
        var out = [Int]()
        for a in 0..<r {
            let span: Int = c.d[a] * (c.k[a] - 1)
            out.append((c.n[a] + 2 * c.p[a] - span - 1) / c.s[a] + 1)
        }
        func odometer(_ extents: [Int]) -> [[Int]] {
            var all: [[Int]] = [[]]
            for e in extents { all = all.flatMap { prefix in (0..<e).map { prefix + [$0] } } }
            return all
        }
        return odometer(out).map { o in
            odometer(c.k).compactMap { t -> Int? in
                var flat = 0
                for a in 0..<r {
                    let i = o[a] * c.s[a] - c.p[a] + t[a] * c.d[a]
                    guard (0..<c.n[a]).contains(i) else { return nil }
                    flat = flat * c.n[a] + i
                }
                return flat
            }
        }
    }

    @Test(arguments: cases.indices)
    func maxPoolScansTheWindowsOfTheIndexMap(index: Int) throws {
        let c = Self.cases[index], planes = 3
        let g = try PoolingGeometry(channels: 1, inputSize: c.n, kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d)
        let windows = Self.windows(c)
        let N = c.n.reduce(1, *), M = windows.count
        #expect(g.outputSize.reduce(1, *) == M)
        // Values with ties (the first of equal maxima wins).
        let x = (0..<(planes * N)).map { Double(($0 * 13) % 7) }
        var y1 = [Double](repeating: .nan, count: planes * M), y2 = y1
        var i1 = [Int](repeating: -9, count: planes * M), i2 = i1
        let map = try g.windowMap(), K = c.k.reduce(1, *)
        let w = try #require(PoolingWindows(g))
        x.withUnsafeBufferPointer { xp in
            y1.withUnsafeMutableBufferPointer { yp in i1.withUnsafeMutableBufferPointer { ip in
                PoolingKernels.maxPool(map, windows: M, taps: K, inputPlane: N, planes: planes, xp.baseAddress!, yp.baseAddress!, ip.baseAddress!)
            } }
            y2.withUnsafeMutableBufferPointer { yp in i2.withUnsafeMutableBufferPointer { ip in
                PoolingKernels.maxPool(w, planes: planes, xp.baseAddress!, yp.baseAddress!, ip.baseAddress!)
            } }
        }
        for j in 0..<planes {
            for (o, window) in windows.enumerated() {
                let best = window.map { x[j * N + $0] }.max() ?? -.infinity
                let arg = window.first { x[j * N + $0] == best } ?? -1
                #expect(y1[j * M + o] == best && i1[j * M + o] == arg, "flat map, plane \(j) output \(o)")
                #expect(y2[j * M + o] == best && i2[j * M + o] == arg, "window bounds, plane \(j) output \(o)")
            }
        }
    }

    @Test(arguments: cases.indices)
    func windowSumIsTheWeightedSumOfTheWindow(index: Int) throws {
        let c = Self.cases[index], planes = 2
        let g = try PoolingGeometry(channels: 1, inputSize: c.n, kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d)
        let windows = Self.windows(c), N = c.n.reduce(1, *), M = windows.count
        let x = Self.values(planes * N, seed: index)
        let weight = (0..<M).map { 1 / Double($0 + 1) }
        var y = [Double](repeating: .nan, count: planes * M)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { PoolingKernels.windowSum(try! #require(PoolingWindows(g)), weight: weight, planes: planes, xp.baseAddress!, $0.baseAddress!) }
        }
        for j in 0..<planes {
            for (o, window) in windows.enumerated() {
                let sum = window.reduce(0.0) { $0 + x[j * N + $1] }
                #expect(abs(y[j * M + o] - weight[o] * sum) < 1e-12, "plane \(j) output \(o)")
            }
        }
    }

    /// A NaN in a window wins (PyTorch); a window wholly in the padding gives −∞ and index −1.
    @Test func nanWinsAndEmptyWindowsAreMinusInfinity() throws {
        let x: [Float] = [1, .nan, 3, 2]
        let map: [Int32] = [0, 1, 2, 3, -1, -1]   // windows {0, 1}, {2, 3}, {}
        var y = [Float](repeating: 0, count: 3), idx = [Int](repeating: 0, count: 3)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in idx.withUnsafeMutableBufferPointer { ip in
            PoolingKernels.maxPool(map, windows: 3, taps: 2, inputPlane: 4, planes: 1, xp.baseAddress!, yp.baseAddress!, ip.baseAddress!)
        } } }
        #expect(y[0].isNaN && idx[0] == 1)
        #expect(y[1] == 3 && idx[1] == 2)
        #expect(y[2] == -.infinity && idx[2] == -1)
    }

    /// Separable interpolation equals the tensor-product stencil `y[a, b] = Σ w_row · w_col · x`, computed directly.
    @Test func separableLinearIsTheTensorProductOfItsAxes() {
        func axis(_ n: Int, _ L: Int) -> InterpolationAxis<Double> {
            var ax = InterpolationAxis<Double>()
            for q in 0..<L {
                let pos = Double(q) * Double(n - 1) / Double(max(L - 1, 1)), i = min(Int(pos), n - 1)
                ax.i0.append(i); ax.i1.append(min(i + 1, n - 1))
                ax.w1.append(pos - Double(i)); ax.w0.append(1 - (pos - Double(i)))
            }
            return ax
        }
        let (H, W, planes) = (4, 5, 2)
        let rows = axis(H, 7), cols = axis(W, 9)
        let x = Self.values(planes * H * W, seed: 3)
        var y = [Double](repeating: .nan, count: planes * 7 * 9)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { PoolingKernels.separableLinear([rows, cols], inputSize: [H, W], planes: planes, xp.baseAddress!, $0.baseAddress!) }
        }
        for j in 0..<planes {
            for a in 0..<7 {
                for b in 0..<9 {
                    var e = 0.0
                    for (r, wr) in [(rows.i0[a], rows.w0[a]), (rows.i1[a], rows.w1[a])] {
                        for (c, wc) in [(cols.i0[b], cols.w0[b]), (cols.i1[b], cols.w1[b])] { e += wr * wc * x[j * H * W + r * W + c] }
                    }
                    #expect(abs(y[j * 63 + a * 9 + b] - e) < 1e-12)
                }
            }
        }
    }
}
