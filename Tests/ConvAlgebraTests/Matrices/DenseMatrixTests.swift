import ConvAlgebra
import Testing
import _TestSupport

@Suite struct DenseMatrixTests {
    private func naiveProduct<S: BLASScalar>(_ a: DenseMatrix<S>, _ b: DenseMatrix<S>) throws -> DenseMatrix<S> {
        var c = try DenseMatrix<S>(zeros: a.rows, b.columns)
        for i in 0..<a.rows { for j in 0..<b.columns { for l in 0..<a.columns { c[i, j] += a[i, l] * b[l, j] } } }
        return c
    }

    @Test(arguments: Precision.allCases, [(1, 1, 1), (3, 5, 2), (7, 1, 6), (0, 3, 2), (4, 0, 3), (2, 3, 0), (33, 17, 40)])
    func gemmMatchesANaiveLoop(precision: Precision, size: (Int, Int, Int)) throws {
        try checkProduct(precision.scalarType, size)
    }

    private func checkProduct<S: BLASScalar>(_: S.Type, _ size: (Int, Int, Int)) throws {
        let (m, k, n) = size
        var rng = SplitMix64(seed: UInt64(m * 10_000 + k * 100 + n))
        let a = try DenseMatrix<S>(rows: m, columns: k, entries: randomScalars(m * k, using: &rng))
        let b = try DenseMatrix<S>(rows: k, columns: n, entries: randomScalars(k * n, using: &rng))
        expectMatricesEqual(try a.multiplied(by: b), try naiveProduct(a, b), rtol: S.testRelativeTolerance,
                            atol: S.testAbsoluteTolerance, "\(m) × \(k) · \(k) × \(n)")
        // Batched application Y = X·Aᵀ into a NaN-filled output.
        let batch = 3
        let x: [S] = randomScalars(batch * k, using: &rng)
        var y: [S] = nanFilled(count: batch * m)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            if let xb = xp.baseAddress ?? UnsafePointer(bitPattern: 8), let yb = yp.baseAddress { a.applyUnchecked(xb, yb, batch: batch) }
        } }
        let xm = try DenseMatrix<S>(rows: batch, columns: k, entries: x)
        expectAllClose(y, try naiveProduct(xm, a.transposed()).entries, "apply, \(m) × \(k)")
        // The transpose.
        let t = a.transposed()
        #expect(t.rows == k && t.columns == m)
        for i in 0..<m { for j in 0..<k { #expect(t[j, i] == a[i, j]) } }
        #expect(t.transposed() == a)
    }

    /// A single sample takes the GEMV path: into a NaN-filled output, for the matrix and its transpose, it matches
    /// the naive product and the GEMM path's row for the same sample.
    @Test(arguments: Precision.allCases, [(1, 1), (5, 3), (3, 17), (64, 40), (32, 288)])
    func singleSampleRunsGEMV(precision: Precision, size: (Int, Int)) throws {
        try checkSingleSample(precision.scalarType, size)
    }

    private func checkSingleSample<S: BLASScalar>(_: S.Type, _ size: (Int, Int)) throws {
        let (m, n) = size
        var rng = SplitMix64(seed: UInt64(m * 1000 + n))
        let a = try DenseMatrix<S>(rows: m, columns: n, entries: randomScalars(m * n, using: &rng))
        for op in [a, a.transposed()] {
            let x: [S] = randomScalars(2 * op.columns, using: &rng)
            func apply(batch: Int) -> [S] {
                var y: [S] = nanFilled(count: batch * op.rows)
                x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    op.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: batch)
                } }
                return y
            }
            let gemv = apply(batch: 1), gemm = apply(batch: 2)
            let expected = try naiveProduct(try DenseMatrix(rows: 1, columns: op.columns, entries: Array(x.prefix(op.columns))),
                                            op.transposed()).entries
            expectAllClose(gemv, expected, "GEMV, \(op.rows) × \(op.columns)")
            expectAllClose(gemv, Array(gemm.prefix(op.rows)), "GEMV vs GEMM's first sample, \(op.rows) × \(op.columns)")
        }
    }

    /// Direct, dense (GEMV) and sparse forms agree on one sample, for a multi-channel convolution and its transpose.
    @Test(arguments: Precision.allCases)
    func formsAgreeOnOneSample(precision: Precision) throws {
        try checkFormsOnOneSample(precision.scalarType)
    }

    private func checkFormsOnOneSample<S: BLASScalar>(_: S.Type) throws {
        let g = try ConvolutionGeometry(inputSize: [5, 4], outputSize: [3, 2], kernelSize: [3, 3], stride: [2, 2],
                                        offset: [-1, -1], tapStep: [1, 1], inChannels: 3, outChannels: 2, hasChannelAxis: true)
        var rng = SplitMix64(seed: 41)
        let conv = try Convolution<S>(geometry: g, taps: randomScalars(g.weightCount, using: &rng))
        try expectFormsAgree(conv, batch: 1)
        try expectFormsAgree(conv.transposed, batch: 1)
        try expectDotTest(conv, form: .dense)
    }

    @Test func bigTransposeCrossesTheCacheBlocks() throws {
        var rng = SplitMix64(seed: 5)
        let a = try DenseMatrix<Float>(rows: 70, columns: 45, entries: randomScalars(70 * 45, using: &rng))
        let t = a.transposed()
        var ok = true
        for i in 0..<70 { for j in 0..<45 where t[j, i] != a[i, j] { ok = false } }
        #expect(ok)
    }

    @Test func badSizesThrow() throws {
        expectThrows(.shapeMismatch) { try DenseMatrix<Double>(rows: 2, columns: 3, entries: [1, 2, 3]) }
        expectThrows(.shapeMismatch) { try DenseMatrix<Double>(rows: -1, columns: -3, entries: [1, 2, 3]) }
        expectThrows(.shapeMismatch) { try DenseMatrix<Double>(rows: Int.max, columns: 2, entries: []) }
        let a = try DenseMatrix<Double>(zeros: 2, 3), b = try DenseMatrix<Double>(zeros: 2, 3)
        expectThrows(.shapeMismatch) { try a.multiplied(by: b) }
        expectThrows(.exceedsMemoryBudget) {
            try DenseMatrix<Double>(zeros: 100, 2).multiplied(by: DenseMatrix(zeros: 2, 100), budget: MemoryBudget(bytes: 1000))
        }
    }
}
