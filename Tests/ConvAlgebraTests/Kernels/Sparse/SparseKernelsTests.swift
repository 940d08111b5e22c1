@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import CMicroKernels
import Testing

/// The threaded, vectorised CSR × dense kernels against the dense product, on batch sizes that hit the
/// row-wise path (< 8), blocks of 8, 16 and 32 samples, whole and partial; outputs start NaN-filled.
@Suite struct SparseKernelsTests {
    static func randomCSR<S: BLASScalar>(_ m: Int, _ n: Int, density: Double, seed: UInt64) throws -> CSRMatrix<S> {
        var r = [Int32](), c = [Int32](), v = [S]()
        let u: [Double] = BenchmarkData.uniform(m * n * 2, seed: seed)
        for i in 0..<m {
            for j in 0..<n where (u[2 * (i * n + j)] + 1) / 2 < density {
                r.append(Int32(i)); c.append(Int32(j)); v.append(S(u[2 * (i * n + j) + 1]))
            }
        }
        return try CSRMatrix(rows: m, columns: n, coordinates: r, c, v)
    }

    static func check<S: BLASScalar>(_: S.Type, m: Int, n: Int, batch: Int, density: Double) throws {
        let a: CSRMatrix<S> = try randomCSR(m, n, density: density, seed: UInt64(m * 31 + n))
        let d = try a.dense()
        let x: [S] = BenchmarkData.uniform(batch * n, seed: 5)
        var ys = [S](repeating: .nan, count: batch * m), yd = ys
        a.applyUnchecked(x, &ys, batch: batch)
        d.applyUnchecked(x, &yd, batch: batch)
        let tol = S(MemoryLayout<S>.size == 4 ? 1e-4 : 1e-11) * S(max(n, 1))
        #expect(zip(ys, yd).allSatisfy { abs($0 - $1) <= tol }, "CSR \(m)×\(n), density \(density), batch \(batch)")
    }

    /// Batches on both paths and every block width (8, 16, 32 lanes), whole and partial last blocks, sizes that
    /// leave remainders after the 4 × 4 transpose tiles; the 300 × 250 matrix has enough work to thread.
    @Test(arguments: [1, 3, 7, 8, 9, 16, 37, 64, 100, 130, 259])
    func matchesDenseFloat(batch: Int) throws {
        try Self.check(Float.self, m: 53, n: 41, batch: batch, density: 0.2)
        try Self.check(Float.self, m: 5, n: 300, batch: batch, density: 0.9)
        try Self.check(Float.self, m: 300, n: 250, batch: batch, density: 0.1)
    }

    @Test(arguments: [1, 2, 8, 33, 70, 131])
    func matchesDenseDouble(batch: Int) throws {
        try Self.check(Double.self, m: 40, n: 70, batch: batch, density: 0.3)
        try Self.check(Double.self, m: 250, n: 301, batch: batch, density: 0.1)
    }

    /// The block width: a vector width, at most 16 `Double` lanes, and wider than 8 only when every core gets
    /// at least two blocks and the transposed input stays within the scratch bound.
    @Test(arguments: [8, 16, 17, 63, 64, 127, 128, 4096])
    func blockWidths(batch: Int) {
        let cores = MachineProfile.current.threads
        for bytes in [4, 8] {
            for columns in [1, 300, 1024, 4096, 100_000] {
                let L = SparseKernels.lanes(batch: batch, columns: columns, scalarBytes: bytes)
                #expect([8, 16, 32].contains(L) && (bytes == 4 || L <= 16), "batch \(batch), \(bytes)-byte scalars: \(L) lanes")
                #expect(L == 8 || batch >= 2 * cores * L, "batch \(batch): \(L) lanes leave a core without two blocks")
                #expect(L == 8 || columns * L * bytes <= SparseKernels.scratchBytes, "\(columns) columns × \(L) lanes")
            }
        }
        #expect(SparseKernels.lanes(batch: 4096, columns: 1024, scalarBytes: 4) == 32)
    }

    @Test func emptyRowsGiveZeros() throws {
        let a = try CSRMatrix<Float>(rows: 3, columns: 2, coordinates: [1], [0], [2])
        let x: [Float] = (0..<40).map(Float.init)
        var y = [Float](repeating: .nan, count: 60)
        a.applyUnchecked(x, &y, batch: 20)
        for b in 0..<20 { #expect(y[3 * b] == 0 && y[3 * b + 1] == 2 * x[2 * b] && y[3 * b + 2] == 0) }
    }

    /// The AVX2 + FMA block step (C, `ca_csr_block_f32`) against the portable Swift steps it replaces, for every block
    /// width, full and partial blocks, and sizes that leave remainders after the 8 × 8 transpose tiles. Where the CPU
    /// lacks AVX2 + FMA the C step declines (returns 0) and touches nothing.
    @Test(arguments: [8, 16, 32])
    func avx2BlockMatchesThePortableSteps(lanes L: Int) throws {
        let (m, n, batch) = (29, 43, 2 * L + 5)
        let a: CSRMatrix<Float> = try Self.randomCSR(m, n, density: 0.3, seed: 17)
        let x: [Float] = BenchmarkData.uniform(batch * n, seed: 6)
        let offsets = a.rowOffsets, columns = a.columnIndices, values = a.values
        for (b0, nb) in [(0, L), (L, L), (2 * L, 5)] {
            var portable = [Float](repeating: .nan, count: batch * m), viaC = portable
            var xt = [Float](repeating: .nan, count: n * L), yt = [Float](repeating: .nan, count: m * L)
            x.withUnsafeBufferPointer { xp in
                portable.withUnsafeMutableBufferPointer { yp in
                    SparseKernels.transposeIn(xp.baseAddress! + b0 * n, n: n, samples: nb, into: &xt, lanes: L)
                    SparseKernels.multiplyBlock(offsets, columns, values, m, xt, &yt, lanes: L)
                    SparseKernels.transposeOut(yt, m: m, samples: nb, into: yp.baseAddress! + b0 * m, lanes: L)
                }
            }
            xt = [Float](repeating: .nan, count: n * L)
            yt = [Float](repeating: .nan, count: m * L)
            let ran = ca_csr_block_f32(offsets, columns, values, m, n, x, &viaC, b0, nb, &xt, &yt, L)
            #expect(ran == (ca_cpu_has_avx2_fma() != 0 ? 1 : 0))
            guard ran == 1 else { continue }
            for i in 0..<batch * m {
                let inBlock = i / m >= b0 && i / m < b0 + nb
                #expect(inBlock ? abs(viaC[i] - portable[i]) <= 1e-5 * Float(n) : viaC[i].isNaN,
                        "\(L) lanes, block at \(b0) of \(nb): element \(i)")
            }
        }
    }
}
