import ConvAlgebra
import Foundation
import Testing

/// `convalgebra show` reproduces the reference text's matrices, symbolic and numeric.
@Suite struct ShowTests {
    /// The printed matrix as rows of cells: the header's `#` lines, the rules between row blocks and the `|`
    /// between column blocks dropped.
    static func cells(_ text: String) -> [[String]] {
        matrixLines(text).filter { !$0.allSatisfy { $0 == "-" || $0 == "+" } }
            .map { $0.split(separator: " ").filter { $0 != "|" }.map(String.init) }
    }

    /// The lines after the header.
    static func matrixLines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    /// `q[o,i,k…]` → the flat index of that entry in a weight of `shape` (row-major).
    static func flatTap(_ name: Substring, shape: [Int]) -> Int? {
        guard name.hasPrefix("q["), name.hasSuffix("]") else { return nil }
        let index = name.dropFirst(2).dropLast().split(separator: ",").compactMap { Int($0) }
        guard index.count == shape.count else { return nil }
        return zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// A matrix as the reference text writes it, rows separated by " / ".
    static func reference(_ rows: String) -> [[String]] {
        rows.components(separatedBy: " / ").map { $0.split(separator: " ").map(String.init) }
    }

    // The matrices of reference/convolutions-from-a-dsp-perspective.txt, copied from its LaTeX.
    static let convolution = "q1 q0 0 0 / q2 q1 q0 0 / 0 q2 q1 q0 / 0 0 q2 q1"          // q * x
    static let correlation = "q1 q2 0 0 / q0 q1 q2 0 / 0 q0 q1 q2 / 0 0 q0 q1"          // (q*)ᵀ
    static let down2 = "1 0 0 0 / 0 0 1 0"                                               // ↓2
    static let up2 = "1 0 / 0 0 / 0 1 / 0 0"                                             // ↑2

    @Test(arguments: [
        (["convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same"], convolution),
        (["convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same", "--transpose"], correlation),
        (["downsample", "--factor", "2", "--domain", "4"], down2),
        (["upsample-zeros", "--factor", "2", "--domain", "2"], up2),
        // ↑k = ↓kᵀ, literally.
        (["downsample", "--factor", "2", "--domain", "4", "--transpose"], up2),
        (["upsample-zeros", "--factor", "2", "--domain", "2", "--transpose"], down2),
        // ↓2 (q * x) keeps rows 0 and 2 of q * x.
        (["convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same", "--stride", "2"], "q1 q0 0 0 / 0 q2 q1 q0"),
    ])
    func reproducesTheReferenceMatrices(arguments: [String], expected: String) throws {
        let cli = try CLIRunner()
        let out = try cli.expectSuccess(["show"] + arguments)
        #expect(Self.cells(out) == Self.reference(expected), "\(out)")
    }

    @Test func columnsAreAligned() throws {
        let out = try CLIRunner().expectSuccess(["show", "convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same"])
        let lines = Self.matrixLines(out)
        #expect(Set(lines.map(\.count)).count == 1, "\(out)")
        #expect(lines.first == "q1  q0   0   0")
        let bare = try CLIRunner().expectSuccess(["show", "convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same", "--no-header"])
        #expect(bare == lines.joined(separator: "\n") + "\n", "--no-header prints the matrix alone")
    }

    @Test func numericEntriesAreTheSymbolicOnesEvaluated() throws {
        let cli = try CLIRunner()
        let q = try CLIRunner.random([3], seed: 51, as: Double.self)
        try cli.write(q, "w.npy")
        for extra in [[], ["--transpose"], ["--mode", "circular", "--dilation", "2"], ["--stride", "2", "--mode", "full"]] {
            let base = ["show", "convolve", "--domain", "6"] + extra
            let symbolic = Self.cells(try cli.expectSuccess(base + ["--kernel-size", "3"]))
            let numeric = Self.cells(try cli.expectSuccess(base + ["--weight", "w.npy"]))
            #expect(symbolic.count == numeric.count && !symbolic.isEmpty)
            for (srow, nrow) in zip(symbolic, numeric) {
                #expect(srow.count == nrow.count)
                for (s, n) in zip(srow, nrow) {
                    #expect(abs((Double(n) ?? .nan) - (Self.evaluate(s, q.scalars) ?? .infinity)) <= 1e-15, "\(s) printed as \(n) for q = \(q.scalars)")
                }
            }
        }
    }

    /// `q0+q2` → q0 + q2 (the only sums `show` prints for a kernel with distinct taps per entry).
    static func evaluate(_ cell: String, _ q: [Double]) -> Double? {
        if cell == "0" { return 0 }
        var sum = 0.0
        for term in cell.split(separator: "+") {
            guard term.hasPrefix("q"), let t = Int(term.dropFirst()), t < q.count else { return nil }
            sum += q[t]
        }
        return sum
    }

    @Test func latexIsAPmatrix() throws {
        let out = try CLIRunner().expectSuccess(["show", "upsample-zeros", "--factor", "2", "--domain", "2", "--latex", "--no-header"])
        #expect(out == "\\begin{pmatrix}\n1 & 0 \\\\\n0 & 0 \\\\\n0 & 1 \\\\\n0 & 0\n\\end{pmatrix}\n")
        let conv = try CLIRunner().expectSuccess(["show", "convolve", "--domain", "4", "--kernel-size", "3", "--mode", "same", "--latex"])
        #expect(conv.contains("q_{1} & q_{0} & 0 & 0 \\\\"))
    }

    @Test func maxSizeIsAdjustable() throws {
        let cli = try CLIRunner()
        try cli.expectFailure(["show", "upsample-zeros", "--factor", "4", "--domain", "5", "--max-size", "16"], containing: "20 × 5")
        let out = try cli.expectSuccess(["show", "upsample-zeros", "--factor", "4", "--domain", "5", "--max-size", "20"])
        #expect(Self.cells(out).count == 20)
    }

    // MARK: - The header, channel blocks and tap names

    /// The header names the shapes the rows and columns flatten; a 1-D kernel's taps stay q0, q1, … .
    @Test func headerNamesRowAndColumnShapes() throws {
        let out = try CLIRunner().expectSuccess(["show", "convolve", "--domain", "6", "--kernel-size", "3", "--stride", "2", "--mode", "same"])
        let header = out.split(separator: "\n").filter { $0.hasPrefix("# ") }
        #expect(header.count == 4, "\(out)")
        #expect(header[0].contains("a 3 × 6 matrix"))
        #expect(header[1].hasPrefix("# rows:") && header[1].contains("(3)"))
        #expect(header[2].hasPrefix("# columns:") && header[2].contains("(6)"))
        #expect(header[3].contains("q0, q1"))
        #expect(!Self.matrixLines(out).joined().contains("q["))
        let latex = try CLIRunner().expectSuccess(["show", "convolve", "--domain", "4", "--kernel-size", "2", "--latex"])
        #expect(latex.split(separator: "\n").first?.hasPrefix("% convolve on domain (4)") == true, "\(latex)")
    }

    /// A 2-D conv: rows are the codomain (C_out, H, W), columns the domain (C_in, H, W), each in per-channel
    /// blocks separated by `|` and a rule; the taps are q[o,i,ky,kx], placed where the index map puts them.
    @Test func convolutionLayerHeaderBlocksAndTaps() throws {
        let out = try CLIRunner().expectSuccess(["show", "conv", "--domain", "2,3,3", "--kernel-size", "2"])
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[1] == "# rows:    (C_out, H, W) = (2, 2, 2), 2 blocks of 4 rows, one per C_out", "\(out)")
        #expect(lines[2] == "# columns: (C_in, H, W) = (2, 3, 3), 2 blocks of 9 columns, one per C_in", "\(out)")
        #expect(lines[3].hasPrefix("# taps: q[o,i,ky,kx] = W[o,i,ky,kx]") && lines[3].contains("(2, 2, 2, 2)"))
        let body = Array(lines.dropFirst(4).filter { !$0.isEmpty })
        #expect(body.count == 9, "8 rows and one rule")
        #expect(body[4].allSatisfy { $0 == "-" || $0 == "+" } && body[4].filter { $0 == "+" }.count == 1)
        // Row (o=1, h=1, w=0) = row 6, column block i=1, position (h+ky, w+kx): q[1,1,ky,kx] at column 9 + 3(1+ky) + kx.
        let row = body[7].split(separator: "|").map { $0.split(separator: " ").map(String.init) }
        #expect(row.count == 2 && row[0].count == 9 && row[1].count == 9)
        for ky in 0..<2 { for kx in 0..<2 { #expect(row[1][3 * (1 + ky) + kx] == "q[1,1,\(ky),\(kx)]", "\(row)") } }
        #expect(row[0][3] == "q[1,0,0,0]")
    }

    /// Transposed: the rows are the forward domain's shape; conv-transpose names its taps in its weight's own
    /// axis order, W (C_in, C_out/groups, K).
    @Test func transposeAndConvTransposeNameTheirAxes() throws {
        let cli = try CLIRunner()
        let t = try cli.expectSuccess(["show", "conv", "--domain", "2,4", "--kernel-size", "3", "--transpose"])
        #expect(t.contains("# rows:    (C_in, L) = (2, 4)") && t.contains("# columns: (C_out, L) = (2, 2)"), "\(t)")
        let ct = try cli.expectSuccess(["show", "conv-transpose", "--domain", "2,2", "--kernel-size", "2", "--stride", "2"])
        #expect(ct.contains("# taps: q[i,o,kx] = W[i,o,kx], W of shape (C_in, C_out/groups, K) = (2, 2, 2)"), "\(ct)")
        #expect(Self.cells(ct).first?.first == "q[0,0,0]")
        // One channel: no separators. A pool: C for both.
        let one = try cli.expectSuccess(["show", "avg-pool", "--domain", "1,4", "--kernel-size", "2"])
        #expect(!one.contains("|") && one.contains("# rows:    (C, L) = (1, 2)"), "\(one)")
    }

    /// Numeric entries (`--weight`) get the same header and blocks, without a taps line.
    @Test func numericLayerMatricesHaveBlocksButNoTapLine() throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Double>([[[1, 2]], [[3, 4]]]), "w.npy")
        let out = try cli.expectSuccess(["show", "conv", "--domain", "1,3", "--weight", "w.npy"])
        #expect(!out.contains("# taps") && out.contains("2 blocks of 2 rows"), "\(out)")
        #expect(Self.cells(out).filter { $0.count == 3 }.map { $0 } == [["1", "2", "0"], ["0", "1", "2"], ["3", "4", "0"], ["0", "3", "4"]], "\(out)")
    }
}
