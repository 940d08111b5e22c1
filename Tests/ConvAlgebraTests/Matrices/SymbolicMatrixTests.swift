import ConvAlgebra
import Testing
import _TestSupport

@Suite struct SymbolicMatrixTests {
    private let q0 = SymbolicEntry(tap: 0), q1 = SymbolicEntry(tap: 1), o = SymbolicEntry.zero, one = SymbolicEntry(constant: 1)

    @Test func transposeAndProductWithConstants() throws {
        let a = SymbolicMatrix([[q0, o, q1], [q1, q0, o]])
        let t = a.transposed()
        #expect(t.rows == 3 && t.columns == 2)
        for i in 0..<2 { for j in 0..<3 { #expect(t[j, i] == a[i, j]) } }
        #expect(t.transposed() == a)
        let selector = SymbolicMatrix([[one, o], [o, o], [o, one]])  // keeps columns 0 and 2
        expectMatricesEqual(try a.multiplied(by: selector), SymbolicMatrix([[q0, q1], [q1, o]]))
        let sum = SymbolicMatrix([[one, one]])  // adds the rows
        expectMatricesEqual(try sum.multiplied(by: a), SymbolicMatrix([[q0 + q1, q0, q1]]))
        expectThrows(.shapeMismatch) { try a.multiplied(by: a) }
        expectThrows(.unsupported) { try a.multiplied(by: t) }
    }

    @Test func evaluatesToTheNumericMatrix() throws {
        let a = SymbolicMatrix([[q0 + q1, o], [one, q1.scaled(by: 2)]])
        let d: DenseMatrix<Double> = try a.evaluated(taps: [3, 5])
        #expect(d.entries == [8, 0, 1, 10])
    }

    @Test func printsAlignedColumnsAndLaTeX() {
        let a = SymbolicMatrix([[q0 + q1, o], [one, q1]])
        let lines = a.description.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.count == lines[0].count })
        #expect(lines[0].hasPrefix("q0+q1") && lines[1].hasSuffix("q1"))
        let latex = a.formatted(latex: true)
        #expect(latex.hasPrefix("\\begin{pmatrix}") && latex.hasSuffix("\\end{pmatrix}") && latex.contains("q_{0} + q_{1} & 0"))
    }
}
