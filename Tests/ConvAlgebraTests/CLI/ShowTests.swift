import ConvAlgebra
import Foundation
import Testing

/// `convalgebra show` reproduces the reference text's matrices, symbolic and numeric.
@Suite struct ShowTests {
    /// The printed matrix as rows of cells.
    static func cells(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
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
        let lines = out.split(separator: "\n")
        #expect(Set(lines.map(\.count)).count == 1, "\(out)")
        #expect(lines.first == "q1  q0   0   0")
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
        let out = try CLIRunner().expectSuccess(["show", "upsample-zeros", "--factor", "2", "--domain", "2", "--latex"])
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
}
