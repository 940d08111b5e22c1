import ConvAlgebra
import Testing
import _TestSupport

private let o = SymbolicEntry.zero, one = SymbolicEntry(constant: 1)

@Suite struct UpsampleTests {
    @Test func referenceMatrixOfUpsampleByTwo() throws {
        // "↑2 x = (1 0 / 0 0 / 0 1 / 0 0) x".
        let u = try Upsample<Double>(factor: 2, inputLength: 2)
        expectMatricesEqual(try u.symbolic(), SymbolicMatrix([[one, o], [o, o], [o, one], [o, o]]))
    }

    /// `↑k = (↓k)ᵀ`, entry for entry, as symbolic, dense and sparse matrices.
    @Test(arguments: [1, 2, 3, 4], [1, 4, 7, 12])
    func upsampleIsTheTransposeOfDownsample(k: Int, L: Int) throws {
        for p in 0..<min(k, L) {
            let d = try Downsample<Double>(factor: k, phase: p, inputLength: L)
            let u = try Upsample<Double>(factor: k, phase: p, outputLength: L)
            expectMatricesEqual(try u.symbolic(), try d.symbolic().transposed(), "k \(k) p \(p) L \(L)")
            expectMatricesEqual(try u.dense(), try d.dense().transposed(), "k \(k) p \(p) L \(L)")
            expectMatricesEqual(try u.sparse(), try d.sparse().transposed(), "k \(k) p \(p) L \(L)")
            #expect(u.transposed == d && d.transposed == u)
        }
    }

    /// `↑k x_n = x_{n/k}` when `k | n`, else 0 (the reference text's definition).
    @Test(arguments: [1, 2, 3], [0, 1, 5])
    func interleavesZeros(k: Int, n: Int) throws {
        var rng = SplitMix64(seed: UInt64(k + 10 * n))
        let u = try Upsample<Float>(factor: k, inputLength: n)
        #expect(u.outputLength == n * k && u.inputLength == n && u.phase == 0)
        let x: Tensor<Float> = try randomBatch(2, of: u.domain, using: &rng)
        for form in Form.allCases {
            let y = try u.apply(x, form: form)
            #expect(y.shape.dims == [2, n * k])
            for b in 0..<2 {
                for j in 0..<(n * k) {
                    #expect(y.scalars[b * n * k + j] == (j % k == 0 ? x.scalars[b * n + j / k] : 0), "\(form) j \(j)")
                }
            }
        }
    }

    @Test(arguments: [1, 2, 3, 5], Precision.allCases)
    func formsAgreeAndDotTestHolds(k: Int, precision: Precision) throws {
        try check(precision.scalarType, k: k)
    }

    private func check<S: BLASScalar>(_: S.Type, k: Int) throws {
        for n in [1, 3, 8] {
            let u = try Upsample<S>(factor: k, inputLength: n)
            try expectFormsAgree(u)
            try expectDotTest(u)
            try expectTransposeIsLiteral(u)
            for p in 0..<k where p < n * k - 1 {
                let up = try Upsample<S>(factor: k, phase: p, outputLength: n * k - 1)
                try expectFormsAgree(up)
                try expectDotTest(up)
            }
        }
    }

    @Test func badArgumentsThrow() {
        expectThrows(.invalidArgument, "factor 0") { try Upsample<Double>(factor: 0, inputLength: 4) }
        expectThrows(.invalidArgument, "negative factor") { try Upsample<Double>(factor: -1, inputLength: 4) }
        expectThrows(.invalidArgument, "negative length") { try Upsample<Double>(factor: 2, inputLength: -3) }
        expectThrows(.invalidArgument, "negative phase") { try Upsample<Double>(factor: 2, phase: -1, outputLength: 4) }
        expectThrows(.invalidArgument, "phase ≥ factor") { try Upsample<Double>(factor: 2, phase: 3, outputLength: 8) }
        expectThrows(.invalidArgument, "factor 0 with a phase") { try Upsample<Double>(factor: 0, phase: 0, outputLength: 4) }
        expectThrows(.overflow, "an output length that overflows") { try Upsample<Double>(factor: Int.max, inputLength: 3) }
    }
}
