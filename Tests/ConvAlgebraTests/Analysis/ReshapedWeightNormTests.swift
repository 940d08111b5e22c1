import ConvAlgebra
import Testing

/// The reshaped-weight norm (what PyTorch's `spectral_norm` bounds) against the weight matrix built here by hand,
/// for a layer and its transpose (PyTorch's `dim = 1`).
@Suite struct ReshapedWeightNormTests {
    @Test func reshapedWeightNormIsTheWeightMatrixNorm() throws {
        let op = try OperatorAnalysisTests.circular(6)
        let a = try OperatorAnalysis(of: op)
        let w = try DenseMatrix(rows: 4, columns: 27, entries: op.taps).spectralNorm()
        #expect(abs(try #require(a.reshapedWeightNorm) - w) < 1e-12)
        // Transposed layer: PyTorch's dim = 1, rows = the layer's output channels (the forward's inputs).
        let t = try OperatorAnalysis(of: op.transposed)
        var m = try DenseMatrix<Double>(zeros: 3, 4 * 9)
        for co in 0..<4 { for ci in 0..<3 { for k in 0..<9 { m[ci, co * 9 + k] = op.taps[(co * 3 + ci) * 9 + k] } } }
        #expect(abs(try #require(t.reshapedWeightNorm) - m.spectralNorm()) < 1e-12)
        // ‖A‖₂ ≤ √(∏K) · ‖W‖₂ for a stride-1 convolution.
        #expect(a.spectralNorm <= 3 * w * (1 + 1e-12))
        #expect(t.spectralNorm == a.spectralNorm || abs(t.spectralNorm - a.spectralNorm) < 1e-12 * a.spectralNorm)
    }
}
