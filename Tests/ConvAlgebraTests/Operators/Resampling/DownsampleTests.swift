import ConvAlgebra
import Testing
import _TestSupport

private let o = SymbolicEntry.zero, one = SymbolicEntry(constant: 1)

@Suite struct DownsampleTests {
    @Test func referenceMatrixOfDownsampleByTwo() throws {
        // "↓2 x = (1 0 0 0 / 0 0 1 0) x".
        let d = try Downsample<Double>(factor: 2, inputLength: 4)
        expectMatricesEqual(try d.symbolic(), SymbolicMatrix([[one, o, o, o], [o, o, one, o]]))
    }

    /// `↓k x_n = x_{nk}` (with a phase: `x_{nk+p}`), from the definition.
    @Test(arguments: [1, 2, 3, 5], [0, 1, 2, 4])
    func keepsEveryKthSample(k: Int, p: Int) throws {
        guard p < k else {
            expectThrows(.invalidArgument, "phase \(p) ≥ factor \(k)") { try Downsample<Double>(factor: k, phase: p, inputLength: 9) }
            return
        }
        var rng = SplitMix64(seed: UInt64(k * 8 + p))
        for n in [p + 1, 7, 12] {
            let d = try Downsample<Double>(factor: k, phase: p, inputLength: n)
            #expect(d.outputLength == (n - p + k - 1) / k && d.codomain.dims == [d.outputLength] && d.domain.dims == [n])
            let x: Tensor<Double> = try randomBatch(2, of: d.domain, using: &rng)
            for form in Form.allCases {
                let y = try d.apply(x, form: form)
                let expected = (0..<2).flatMap { b in stride(from: p, to: n, by: k).map { x.scalars[b * n + $0] } }
                #expect(y.scalars == expected, "\(form) n \(n)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4], Precision.allCases)
    func formsAgreeAndDotTestHolds(k: Int, precision: Precision) throws {
        try check(precision.scalarType, k: k)
    }

    private func check<S: BLASScalar>(_: S.Type, k: Int) throws {
        for p in 0..<k {
            for n in [p + 1, 5, 8, 13] where n > p {
                let d = try Downsample<S>(factor: k, phase: p, inputLength: n)
                try expectFormsAgree(d)
                try expectDotTest(d)
                try expectTransposeIsLiteral(d)
            }
        }
    }

    @Test func transposeIsAnUpsampleWithTheSamePhase() throws {
        let d = try Downsample<Float>(factor: 3, phase: 2, inputLength: 10)
        let u: Upsample<Float> = d.transposed  // the type says ↓kᵀ = ↑k
        #expect(u.factor == 3 && u.phase == 2 && u.outputLength == 10 && u.inputLength == d.outputLength)
        #expect(d.transposed.transposed == d)
        #expect(u == (try Upsample<Float>(factor: 3, phase: 2, outputLength: 10)))
    }

    @Test func emptyInputHasEmptyOutput() throws {
        let d = try Downsample<Double>(factor: 2, inputLength: 0)
        #expect(d.outputLength == 0)
        #expect(try d.apply(Tensor(shape: [3, 0], scalars: [])).shape.dims == [3, 0])
        #expect(try d.dense().rows == 0)
    }

    @Test func badArgumentsThrow() throws {
        expectThrows(.invalidArgument, "factor 0") { try Downsample<Double>(factor: 0, inputLength: 4) }
        expectThrows(.invalidArgument, "negative factor") { try Downsample<Double>(factor: -2, inputLength: 4) }
        expectThrows(.invalidArgument, "negative phase") { try Downsample<Double>(factor: 2, phase: -1, inputLength: 4) }
        expectThrows(.invalidArgument, "phase ≥ factor") { try Downsample<Double>(factor: 2, phase: 2, inputLength: 4) }
        expectThrows(.invalidArgument, "phase past the input") { try Downsample<Double>(factor: 4, phase: 3, inputLength: 3) }
        expectThrows(.invalidArgument, "negative length") { try Downsample<Double>(factor: 2, inputLength: -1) }
        let d = try Downsample<Double>(factor: 2, inputLength: 4)
        expectThrows(.shapeMismatch, "apply to the wrong length") { try d.apply(Tensor(shape: Shape([5]), repeating: 0)) }
    }
}
