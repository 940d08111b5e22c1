import ConvAlgebra
import Foundation
import Testing

/// `convalgebra apply`: the three forms agree with each other and with the library, shapes follow NumPy,
/// dtypes are kept, and `--transpose --domain` is the adjoint (dot test through the binary).
@Suite struct ApplyTests {
    /// An op's command-line spelling and the library operator it must equal, for a sample of length `n`.
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var n: Int
        var make: @Sendable (_ n: Int, _ q: [Double]) throws -> any LinearOperator<Double>
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = {
        var c: [Case] = []
        for mode in ConvolutionMode.allCases {
            for (stride, dilation) in [(1, 1), (2, 1), (1, 2), (3, 2)] {
                c.append(Case(arguments: ["convolve", "--weight", "w.npy", "--mode", mode.rawValue,
                                          "--stride", "\(stride)", "--dilation", "\(dilation)"], n: 11) { n, q in
                    try Convolution(kernel: q, inputLength: n, mode: mode, stride: stride, dilation: dilation)
                })
            }
        }
        c.append(Case(arguments: ["convolve", "--weight", "w.npy"], n: 11) { n, q in try Convolution(kernel: q, inputLength: n) })
        c.append(Case(arguments: ["downsample", "--factor", "3", "--phase", "2"], n: 11) { n, _ in
            try Downsample<Double>(factor: 3, phase: 2, inputLength: n)
        })
        c.append(Case(arguments: ["downsample", "--factor", "2"], n: 11) { n, _ in try Downsample<Double>(factor: 2, inputLength: n) })
        c.append(Case(arguments: ["upsample-zeros", "--factor", "3"], n: 11) { n, _ in try Upsample<Double>(factor: 3, inputLength: n) })
        return c
    }()

    @Test(arguments: cases)
    func formsAgreeWithEachOtherAndTheLibrary(c: Case) throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([2, 3, c.n], seed: 11, as: Double.self)
        let q = try CLIRunner.random([3], seed: 12, as: Double.self)
        try cli.write(x, "x.npy")
        try cli.write(q, "w.npy")
        let expected = try c.make(c.n, q.scalars).apply(x)
        for form in Form.allCases {
            try cli.expectSuccess(["apply"] + c.arguments + ["--form", form.rawValue, "--input", "x.npy", "--output", "y-\(form).npy"])
            let y = try cli.read("y-\(form).npy").tensor(of: Double.self)
            #expect(y.shape == expected.shape, "\(form)")
            #expect(maxDifference(y.scalars, expected.scalars) <= 1e-12, "\(form)")
        }
    }

    @Test(arguments: cases)
    func transposeIsTheAdjointInEveryForm(c: Case) throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([4, c.n], seed: 21, as: Double.self)
        try cli.write(x, "x.npy")
        try cli.write(try CLIRunner.random([3], seed: 22, as: Double.self), "w.npy")
        try cli.expectSuccess(["apply"] + c.arguments + ["--input", "x.npy", "--output", "ax.npy"])
        let ax = try cli.read("ax.npy").tensor(of: Double.self)
        let y = try CLIRunner.random(ax.shape.dims, seed: 23, as: Double.self)
        try cli.write(y, "y.npy")
        for form in Form.allCases {
            try cli.expectSuccess(["apply"] + c.arguments + ["--transpose", "--domain", "\(c.n)", "--form", form.rawValue,
                                                            "--input", "y.npy", "--output", "aty-\(form).npy"])
            let aty = try cli.read("aty-\(form).npy").tensor(of: Double.self)
            #expect(aty.shape == x.shape)
            // ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ (PyLops' dot test), both sides printed on failure.
            let lhs = zip(ax.scalars, y.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            let rhs = zip(x.scalars, aty.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)), "⟨Ax, y⟩ = \(lhs), ⟨x, Aᵀy⟩ = \(rhs) (\(form))")
        }
    }

    @Test func float32StaysFloat32AndASingleSampleKeepsItsRank() throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([9], seed: 31, as: Float.self)
        let q = try CLIRunner.random([4], seed: 32, as: Float.self)
        try cli.write(x, "x.npy")
        try cli.write(q, "w.npy")
        try cli.expectSuccess(["apply", "convolve", "--weight", "w.npy", "--mode", "same", "--input", "x.npy", "--output", "y.npy"])
        guard case .float32(let y) = try cli.read("y.npy") else { Issue.record("the output is not float32"); return }
        // NumPy: convolve of a (n,) input is (max(n, K),) in same mode, not (1, n).
        #expect(y.shape.dims == [9])
        let expected = try Convolution(kernel: q.scalars, inputLength: 9, mode: .same).apply(x)
        #expect(maxDifference(y.scalars, expected.scalars) <= 1e-6)
    }

    @Test func manyLeadingBatchAxesArePreserved() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 1, 3, 10], seed: 41, as: Float.self), "x.npy")
        try cli.expectSuccess(["apply", "upsample-zeros", "--factor", "2", "--input", "x.npy", "--output", "y.npy"])
        #expect(try cli.read("y.npy").shape.dims == [2, 1, 3, 20])
        try cli.expectSuccess(["apply", "downsample", "--factor", "4", "--form", "sparse", "--input", "x.npy", "--output", "z.npy"])
        #expect(try cli.read("z.npy").shape.dims == [2, 1, 3, 3])
    }

    @Test func anEmptyBatchGivesAnEmptyOutput() throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Double>(shape: [0, 6], scalars: []), "x.npy")
        for form in Form.allCases {
            try cli.expectSuccess(["apply", "downsample", "--factor", "2", "--form", form.rawValue, "--input", "x.npy", "--output", "y.npy"])
            #expect(try cli.read("y.npy").shape.dims == [0, 3])
        }
    }

    private func maxDifference<S: BLASScalar>(_ a: [S], _ b: [S]) -> S {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
