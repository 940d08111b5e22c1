import CMicroKernels
@testable import ConvAlgebra
import Testing

/// The pixel-vector tile `ca_conv_rows` called directly on every path this CPU has, against sums in `Double`:
/// every channel count up to the path's `m_r`, partial tiles (`n < n_r`, masked lanes), vectors that cross into a
/// second row (`split < V`, the second pointer), whole segments of one row (the unmasked loop, with and without
/// `fetchNext`'s prefetch of the next segment), and `accumulate` (a later depth block adding to the rows).
@Suite struct ConvRowsKernelTests {
    @Test(arguments: MachineProfile.KernelISA.supported, [0, 1, 37])
    func tileAgreesWithDoubleReference(isa: MachineProfile.KernelISA, depth k: Int) {
        let (maxMR, nr) = RowKernelBlocking.registerTile(isa), V = nr / 2
        var rng = ConvolutionKernelsTests.Generator(seed: UInt64(0xBEEF + k + 1000 * isa.code))
        let input = (0..<8192).map { _ in Float.random(in: -1...1, using: &rng) }
        let w = (0..<max(k * maxMR, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let offsets = (0..<max(k, 1)).map { _ in Int.random(in: 0..<4096, using: &rng) }
        var worst = 0.0, checked = 0
        for mr in 1...maxMR {
            for (n, whole) in Set([1, V - 1, V, V + 1, nr - 1, nr].filter { $0 >= 1 && $0 <= nr }).map({ ($0, false) }) + [(nr, true)] {
                var split = [Int.random(in: 1...V, using: &rng), Int.random(in: 1...V, using: &rng)]
                var starts = (0..<4).map { _ in Int.random(in: 64..<3000, using: &rng) }
                if whole { split = [V, V]; starts = [starts[0], starts[0], starts[0] + V, starts[0] + V] }
                let accumulate = Bool.random(using: &rng), fetchNext = Bool.random(using: &rng)
                let ldy = nr + 3
                let before = (0..<(mr * ldy)).map { _ in Float.random(in: -1...1, using: &rng) }
                var y = before
                input.withUnsafeBufferPointer { x in
                    let from: [UnsafePointer<Float>?] = starts.map { x.baseAddress! + $0 }
                    y.withUnsafeMutableBufferPointer { yp in
                        ca_conv_rows(Int32(isa.code), mr, k, from, split, offsets, w, maxMR, n, yp.baseAddress!, ldy,
                                     accumulate ? 1 : 0, fetchNext ? 1 : 0)
                    }
                }
                for c in 0..<mr {
                    for j in 0..<ldy {
                        guard j < n else {
                            #expect(y[c * ldy + j] == before[c * ldy + j], "lane \(j) ≥ n = \(n) was written")
                            continue
                        }
                        let v = j / V, lane = j % V
                        let start = lane < split[v] ? starts[2 * v] : starts[2 * v + 1]
                        var exact = accumulate ? Double(before[c * ldy + j]) : 0, magnitude = abs(exact)
                        for p in 0..<k {
                            let term = Double(input[start + offsets[p] + lane]) * Double(w[p * maxMR + c])
                            exact += term; magnitude += abs(term)
                        }
                        let error = abs(Double(y[c * ldy + j]) - exact) / max(magnitude, 1e-30)
                        worst = max(worst, error.isNaN ? .infinity : error)
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 0)
        #expect(worst <= 8 * Double(Float.ulpOfOne) * Double(max(k, 1)).squareRoot(), "\(isa), depth \(k)")
    }
}
