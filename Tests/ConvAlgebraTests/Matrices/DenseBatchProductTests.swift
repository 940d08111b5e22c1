import ConvAlgebra
import Testing
import _TestSupport

@Suite struct DenseBatchProductTests {
    /// `Y = X · Aᵀ` through the stored `Aᵀ` (one untransposed GEMM; one GEMV for a single sample) against a naive
    /// loop over `A`'s own entries, into NaN-filled outputs, for empty and degenerate sizes too.
    @Test(arguments: Precision.allCases, [(1, 1, 1), (3, 5, 2), (7, 1, 6), (0, 3, 2), (4, 0, 3), (33, 17, 40), (5, 9, 0)])
    func applicationMatchesANaiveLoop(precision: Precision, size: (Int, Int, Int)) throws {
        try check(precision.scalarType, size)
    }

    private func check<S: BLASScalar>(_: S.Type, _ size: (Int, Int, Int)) throws {
        let (m, n, batch) = size
        var rng = SplitMix64(seed: UInt64(m * 10_000 + n * 100 + batch))
        let a = try DenseMatrix<S>(rows: m, columns: n, entries: randomScalars(m * n, using: &rng))
        let product = try DenseBatchProduct(a)
        #expect(product.rows == m && product.columns == n)
        for i in 0..<m { for j in 0..<n { #expect(product.transposedEntries[j * m + i] == a[i, j]) } }
        for samples in Set([1, batch]) where samples > 0 {
            let x: [S] = randomScalars(samples * n, using: &rng)
            var y: [S] = nanFilled(count: samples * m)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                if let yb = yp.baseAddress { product.applyUnchecked(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yb, batch: samples) }
            } }
            var expected = [S](repeating: 0, count: samples * m)
            for b in 0..<samples { for i in 0..<m { for j in 0..<n { expected[b * m + i] += a[i, j] * x[b * n + j] } } }
            expectAllClose(y, expected, "\(m) × \(n), \(samples) samples")
        }
    }

    /// The transposed copy is budgeted before it is made.
    @Test func theCopyIsBudgeted() throws {
        let a = try DenseMatrix<Float>(zeros: 64, 64)
        #expect(throws: ConvAlgebraError.self) { try DenseBatchProduct(a, budget: MemoryBudget(bytes: 1024)) }
    }
}
