import Foundation
import ConvAlgebra

/// A short matrix-vs-direct timing table: the same operator applied to a batch in its direct
/// (matrix-free), dense (one GEMM) and sparse (one CSR × dense) forms.
struct FormsTiming {
    struct Case {
        let id: String
        let op: Convolution<Float>
    }

    static func cases() throws -> [Case] {
        func random(_ n: Int, seed: UInt64) -> [Float] {
            var s = seed
            return (0..<n).map { _ in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: s >> 11) % 2000) / 1000 - 1
            }
        }
        let conv2d = { (c: Int, n: Int, k: Int, pad: Int) throws -> Convolution<Float> in
            let out = n + 2 * pad - k + 1
            let g = try ConvolutionGeometry(inputSize: [n, n], outputSize: [out, out], kernelSize: [k, k], stride: [1, 1],
                                            offset: [-pad, -pad], tapStep: [1, 1], inChannels: c, outChannels: c,
                                            hasChannelAxis: true)
            return try Convolution(geometry: g, taps: random(g.weightCount, seed: UInt64(c * n)))
        }
        return [
            Case(id: "mx-1d      convolve same K=9, n=1024", op: try Convolution(kernel: random(9, seed: 1), inputLength: 1024, mode: .same)),
            Case(id: "mx-2d      conv2d 1→1 3×3 pad 1, 32×32", op: try conv2d(1, 32, 3, 1)),
            Case(id: "mx-1d-long convolve same K=129, n=256", op: try Convolution(kernel: random(129, seed: 2), inputLength: 256, mode: .same)),
            Case(id: "mx-fc      conv2d 32→32 3×3 valid, 3×3", op: try conv2d(32, 3, 3, 0)),
        ]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Median time of `repeats` calls of `body`, after one warm-up call.
    static func median(repeats: Int, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        let times = (0..<repeats).map { _ in seconds(clock.measure(body)) }.sorted()
        return times[times.count / 2]
    }

    static func run() throws {
        print("\n== Matrix versus direct forms (float32, median of 5, both cores) ==")
        print("useful FLOPs = 2·nnz·B; GFLOP/s counts useful work, so dense pays for its zeros")
        print("case                                        density   B    direct µs    dense µs   sparse µs   fastest")
        for c in try cases() {
            let a = try c.op.dense(budget: .default), s = try c.op.sparse(budget: .default)
            let (m, n) = c.op.matrixSize
            let density = Double(s.nonzeroCount) / Double(m * n)
            for batch in [1, 16, 256] {
                let x = [Float](repeating: 0.5, count: batch * n)
                var y = [Float](repeating: 0, count: batch * m)
                var t = [Double]()
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        let (xi, yo) = (xp.baseAddress!, yp.baseAddress!)
                        t.append(median(repeats: 5) { c.op.applyUnchecked(xi, yo, batch: batch) })
                        t.append(median(repeats: 5) { a.applyUnchecked(xi, yo, batch: batch) })
                        t.append(median(repeats: 5) { s.applyUnchecked(xi, yo, batch: batch) })
                    }
                }
                let best = ["direct", "dense", "sparse"][t.indices.min { t[$0] < t[$1] }!]
                let cells = t.map { String(format: "%10.1f", $0 * 1e6) }.joined(separator: "  ")
                print("\(c.id.padding(toLength: 42, withPad: " ", startingAt: 0))  \(String(format: "%6.1f%%", density * 100))  \(String(batch).leftPad(4))  \(cells)   \(best)")
            }
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}
