import ConvAlgebra
import Testing
import _TestSupport

@Suite struct CSRMatrixTests {
    /// Random coordinates with duplicates, in random order.
    private func randomCoordinates<S: BLASScalar>(_ m: Int, _ n: Int, count: Int, using rng: inout SplitMix64)
        -> ([Int32], [Int32], [S]) {
        let r = (0..<count).map { _ in Int32(Int.random(in: 0..<m, using: &rng)) }
        let c = (0..<count).map { _ in Int32(Int.random(in: 0..<n, using: &rng)) }
        let v: [S] = randomIntegerScalars(count, in: -4 ... 4, using: &rng)
        return (r, c, v)
    }

    private func accumulated<S: BLASScalar>(_ m: Int, _ n: Int, _ r: [Int32], _ c: [Int32], _ v: [S]) throws -> DenseMatrix<S> {
        var d = try DenseMatrix<S>(zeros: m, n)
        for e in v.indices { d[Int(r[e]), Int(c[e])] += v[e] }
        return d
    }

    @Test(arguments: Precision.allCases, [(1, 1, 3), (5, 7, 20), (8, 3, 40), (6, 6, 0), (0, 4, 0)])
    func coordinatesSumDuplicates(precision: Precision, size: (Int, Int, Int)) throws {
        try checkCoordinates(precision.scalarType, size)
    }

    private func checkCoordinates<S: BLASScalar>(_: S.Type, _ size: (Int, Int, Int)) throws {
        let (m, n, count) = size
        var rng = SplitMix64(seed: UInt64(m * 100 + n + count))
        let (r, c, v): ([Int32], [Int32], [S]) = randomCoordinates(max(m, 1), n, count: m == 0 ? 0 : count, using: &rng)
        let a = try CSRMatrix(rows: m, columns: n, coordinates: r, c, v)
        let expected = try accumulated(m, n, r, c, v)
        expectMatricesEqual(try a.dense(), expected)
        // One stored entry per distinct position (explicit zero sums stay), columns increasing in each row.
        #expect(a.nonzeroCount == Set(zip(r, c).map { Int($0) * n + Int($1) }).count)
        #expect(a.rowOffsets.count == m + 1)
        for i in 0..<m {
            let cols = a.columnIndices[a.rowOffsets[i]..<a.rowOffsets[i + 1]]
            #expect(zip(cols, cols.dropFirst()).allSatisfy { $0 < $1 }, "row \(i)")
        }
        // The transpose is the dense transpose, entry for entry, and transposing twice gives it back.
        let t = a.transposed()
        expectMatricesEqual(try t.dense(), expected.transposed())
        expectMatricesEqual(t.transposed(), a)
        // Batched application into a NaN-filled output.
        let batch = 2
        let x: [S] = randomScalars(batch * n, using: &rng)
        var y: [S] = nanFilled(count: batch * m)
        if m > 0 {
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                a.applyUnchecked(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yp.baseAddress!, batch: batch)
            } }
        }
        var viaDense: [S] = nanFilled(count: batch * m)
        if m > 0 {
            x.withUnsafeBufferPointer { xp in viaDense.withUnsafeMutableBufferPointer { yp in
                expected.applyUnchecked(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yp.baseAddress!, batch: batch)
            } }
        }
        expectAllClose(y, viaDense)
    }

    @Test(arguments: Precision.allCases)
    func sparseProductIsTheDenseProduct(precision: Precision) throws {
        try checkProduct(precision.scalarType)
    }

    private func checkProduct<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 77)
        for (m, k, n) in [(4, 5, 3), (1, 1, 1), (9, 2, 8), (6, 7, 0)] {
            let (ar, ac, av): ([Int32], [Int32], [S]) = randomCoordinates(m, k, count: 2 * m, using: &rng)
            let (br, bc, bv): ([Int32], [Int32], [S]) = randomCoordinates(k, max(n, 1), count: n == 0 ? 0 : 2 * k, using: &rng)
            let a = try CSRMatrix(rows: m, columns: k, coordinates: ar, ac, av)
            let b = try CSRMatrix(rows: k, columns: n, coordinates: br, bc, bv)
            let product = try a.multiplied(by: b)
            // Small whole numbers: the sparse and dense products are exact.
            expectMatricesEqual(try product.dense(), try a.dense().multiplied(by: b.dense()), "\(m) × \(k) · \(k) × \(n)")
            #expect(product.rows == m && product.columns == n)
        }
        let a = try CSRMatrix<S>(rows: 2, columns: 3, coordinates: [0], [1], [1])
        expectThrows(.shapeMismatch) { try a.multiplied(by: a) }
        expectThrows(.shapeMismatch, "a dense product of mismatched sizes") { try a.denseProduct(with: a) }
    }

    /// `denseProduct` writes the product straight into a dense matrix: the same entries as the sparse
    /// product's dense form and as the GEMM of the dense factors, and refused over the budget before it allocates.
    @Test(arguments: Precision.allCases)
    func denseProductIsTheProduct(precision: Precision) throws { try checkDenseProduct(precision.scalarType) }

    private func checkDenseProduct<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 78)
        for (m, k, n) in [(4, 5, 3), (1, 1, 1), (9, 2, 8), (3, 4, 1)] {
            let (ar, ac, av): ([Int32], [Int32], [S]) = randomCoordinates(m, k, count: 3 * m, using: &rng)
            let (br, bc, bv): ([Int32], [Int32], [S]) = randomCoordinates(k, n, count: 2 * k, using: &rng)
            let a = try CSRMatrix(rows: m, columns: k, coordinates: ar, ac, av)
            let b = try CSRMatrix(rows: k, columns: n, coordinates: br, bc, bv)
            let d = try a.denseProduct(with: b)
            expectMatricesEqual(d, try a.multiplied(by: b).dense(), "\(m) × \(k) · \(k) × \(n): vs the sparse product")
            expectMatricesEqual(d, try a.dense().multiplied(by: b.dense()), "\(m) × \(k) · \(k) × \(n): vs GEMM")
        }
        let big = try CSRMatrix<S>(rows: 100, columns: 1, coordinates: [0], [0], [1])
        let wide = try CSRMatrix<S>(rows: 1, columns: 100, coordinates: [0], [99], [1])
        expectThrows(.exceedsMemoryBudget) { try big.denseProduct(with: wide, budget: MemoryBudget(bytes: 1000)) }
    }

    @Test func inconsistentArraysThrow() {
        expectThrows(.shapeMismatch, "offsets of the wrong length") {
            try CSRMatrix<Double>(rows: 2, columns: 2, rowOffsets: [0, 1], columnIndices: [0], values: [1])
        }
        expectThrows(.shapeMismatch, "offsets that miss the values") {
            try CSRMatrix<Double>(rows: 1, columns: 2, rowOffsets: [0, 1], columnIndices: [0, 1], values: [1, 2])
        }
        expectThrows(.shapeMismatch, "indices and values of different lengths") {
            try CSRMatrix<Double>(rows: 1, columns: 2, rowOffsets: [0, 2], columnIndices: [0], values: [1, 2])
        }
        expectThrows(.invalidArgument, "a row index past the last row") {
            try CSRMatrix<Double>(rows: 2, columns: 2, coordinates: [5], [0], [1])
        }
        expectThrows(.invalidArgument, "a negative column index") {
            try CSRMatrix<Double>(rows: 2, columns: 2, coordinates: [0], [-1], [1])
        }
        expectThrows(.invalidArgument, "a negative size") { try CSRMatrix<Double>(rows: -1, columns: 2, coordinates: [], [], []) }
        expectThrows(.shapeMismatch, "coordinates that do not pair up") {
            try CSRMatrix<Double>(rows: 2, columns: 2, coordinates: [0, 1], [0], [1, 2])
        }
        expectThrows(.overflow, "more columns than 32-bit indices") {
            try CSRMatrix<Double>(rows: 1, columns: Int(Int32.max) + 1, coordinates: [], [], [])
        }
    }
}
