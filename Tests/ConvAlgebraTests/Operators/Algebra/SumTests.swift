import ConvAlgebra
import Testing
import _TestSupport

/// `Σ A_i`: the matrices add, the transpose is the sum of transposes, the forms agree.
@Suite struct SumTests {
    @Test func matricesAddAndTheTransposeIsTheSumOfTransposes() throws {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 7, mode: .same)
        let b = try Convolution<Double>(kernel: [4, 5], inputLength: 7, mode: .same)
        let s = try Sum<Double>([a, b])
        let (da, db, ds) = (try a.dense(), try b.dense(), try s.dense())
        for r in 0..<ds.rows { for c in 0..<ds.columns { #expect(ds[r, c] == da[r, c] + db[r, c]) } }
        expectMatricesEqual(try s.sparse().dense(), ds)
        expectMatricesEqual(try s.transposed.dense(), ds.transposed())
        try expectFormsAgree(s)
        _ = try expectDotTest(s)
    }

    @Test func termsMustShareTheirShapes() throws {
        expectThrows(.invalidArgument, "no terms") { try Sum<Double>([]) }
        let a = try Downsample<Double>(factor: 2, inputLength: 8), b = try Downsample<Double>(factor: 3, inputLength: 8)
        expectThrows(.shapeMismatch, "different codomains") { try Sum<Double>([a, b]) }
    }
}
