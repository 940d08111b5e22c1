import ConvAlgebra
import Testing
import _TestSupport

/// The one CSR builder: a stable counting sort by row from two passes over the entries, the row sort that
/// merges duplicates, and the initialiser every CSR construction goes through.
@Suite struct CSRBuilderTests {
    @Test func countingSortIsStableByRow() {
        // Entries in scrambled row order; within a row they keep the order they were emitted in.
        let entries: [(Int, Int32, Double)] = [(2, 5, 1), (0, 3, 2), (2, 1, 3), (3, 0, 4), (0, 3, 5), (2, 4, 6)]
        var passes = 0
        let csr = CSRBuilder.countingSort(rows: 5, count: entries.count) { (emit: (Int, Int32, Double) -> Void) in
            passes += 1
            for (r, c, v) in entries { emit(r, c, v) }
        }
        #expect(passes == 2)
        #expect(csr.rowOffsets == [0, 2, 2, 5, 6, 6])
        #expect(csr.columnIndices == [3, 3, 5, 1, 4, 0])
        #expect(csr.values == [2, 5, 1, 3, 6, 4])
    }

    @Test func sortingRowsMergesDuplicatesAndKeepsZeroSums() {
        let sorted = CSRBuilder.sortingRowsMergingDuplicates(
            (rowOffsets: [0, 4, 4, 6], columnIndices: [3, 1, 3, 0, 0, 2], values: [1.0, 2, -1, 4, 7, 8]))
        // Row 0: columns 3, 1, 3, 0 → 0, 1, 3 with the two 3s summed to an explicit 0; row 2 already sorted.
        #expect(sorted.rowOffsets == [0, 3, 3, 5])
        #expect(sorted.columnIndices == [0, 1, 3, 0, 2])
        #expect(sorted.values == [4, 2, 0, 7, 8])
    }

    @Test(arguments: Precision.allCases)
    func initialiserMatchesTheEntriesSummed(precision: Precision) throws { try checkInit(precision.scalarType) }

    private func checkInit<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 17)
        for (m, n, count) in [(6, 5, 30), (1, 1, 4), (7, 3, 0), (0, 2, 0)] {
            let rows = (0..<count).map { _ in Int.random(in: 0..<max(m, 1), using: &rng) }
            let cols = (0..<count).map { _ in Int32(Int.random(in: 0..<n, using: &rng)) }
            let vals: [S] = randomIntegerScalars(count, in: -3 ... 3, using: &rng)
            let a = try CSRMatrix<S>(rows: m, columns: n, count: count) { emit in
                for e in 0..<count { emit(rows[e], cols[e], vals[e]) }
            }
            var expected = try DenseMatrix<S>(zeros: m, n)
            for e in 0..<count { expected[rows[e], Int(cols[e])] += vals[e] }
            expectMatricesEqual(try a.dense(), expected, "\(m) × \(n), \(count) entries")
            #expect(a.nonzeroCount == Set(zip(rows, cols).map { $0 * n + Int($1) }).count)
            for r in 0..<m {
                let row = a.columnIndices[a.rowOffsets[r]..<a.rowOffsets[r + 1]]
                #expect(zip(row, row.dropFirst()).allSatisfy { $0 < $1 }, "row \(r) is sorted")
            }
            // The coordinate initialiser and the transpose go through the same builder.
            let viaCoordinates = try CSRMatrix(rows: m, columns: n, coordinates: rows.map { Int32($0) }, cols, vals)
            expectMatricesEqual(viaCoordinates, a)
            expectMatricesEqual(try a.transposed().dense(), expected.transposed())
        }
        expectThrows(.overflow, "more rows than 32-bit indices") {
            try CSRMatrix<S>(rows: Int(Int32.max) + 1, columns: 1) { _ in }
        }
    }
}
