import ConvAlgebra
import Foundation
import Testing

/// Numeric matrices as `show --weight` prints them: numbers in their shortest spelling (integers without
/// `.0`), columns right-aligned two spaces apart, or a LaTeX `pmatrix`.
@Suite struct MatrixTextTests {
    static func show(_ weight: Tensor<Double>, latex: Bool = false) throws -> String {
        let cli = try CLIRunner()
        try cli.write(weight, "w.npy")
        return try cli.expectSuccess(["show", "convolve", "--domain", "2", "--mode", "full", "--weight", "w.npy", "--no-header"] + (latex ? ["--latex"] : []))
    }

    /// `[0.5, -2] * x` on 2 samples is the 3 × 2 matrix `[[0.5, 0], [-2, 0.5], [0, -2]]`.
    @Test func numbersAreShortAndColumnsRightAligned() throws {
        let out = try Self.show(try Tensor(shape: [2], scalars: [0.5, -2]))
        #expect(out == "0.5    0\n -2  0.5\n  0   -2\n", "\(out)")
    }

    @Test func latexIsAPmatrixOfTheSameCells() throws {
        let out = try Self.show(try Tensor(shape: [2], scalars: [3, 1.25]), latex: true)
        #expect(out == "\\begin{pmatrix}\n3 & 0 \\\\\n1.25 & 3 \\\\\n0 & 1.25\n\\end{pmatrix}\n", "\(out)")
    }

    /// A float32 weight prints in float32's shortest spelling (`0.1`, not `0.10000000149011612`).
    @Test func float32PrintsItsOwnShortestSpelling() throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Float>(shape: [1], scalars: [0.1]), "w.npy")
        let out = try cli.expectSuccess(["show", "convolve", "--domain", "1", "--weight", "w.npy", "--no-header"])
        #expect(out == "0.1\n", "\(out)")
    }
}
