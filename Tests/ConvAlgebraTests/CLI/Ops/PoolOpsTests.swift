import ConvAlgebra
import Foundation
import Testing

/// `convalgebra apply/show` for `max-pool`, `avg-pool` and `upsample`: PyTorch's numbers through the binary
/// in all three forms, `--transpose` as the adjoint, and one `error:` line for every bad argument.
@Suite struct PoolOpsTests {
    /// The CLI spelling of a PyTorch fixture case (`nil` for options the CLI does not have).
    static func arguments(_ c: TorchPoolFixtureTests.Case) -> [String]? {
        func list(_ v: [Int]?) -> String { (v ?? []).map(String.init).joined(separator: ",") }
        switch c.op {
        case "avg_pool":
            guard c.divisor_override == nil else { return nil }
            return ["avg-pool", "--kernel-size", list(c.kernel_size), "--stride", list(c.stride), "--padding", list(c.padding)]
                + (c.ceil_mode == true ? ["--ceil-mode"] : []) + (c.count_include_pad == false ? ["--no-count-include-pad"] : [])
        case "max_pool":
            return ["max-pool", "--kernel-size", list(c.kernel_size), "--stride", list(c.stride), "--padding", list(c.padding),
                    "--dilation", list(c.dilation)] + (c.ceil_mode == true ? ["--ceil-mode"] : [])
        case "interpolate":
            return ["upsample", "--scale", "\(c.scale ?? 0)", "--mode", c.mode ?? ""]
        default:
            return nil
        }
    }

    static let cases = TorchPoolFixtureTests.cases.filter { arguments($0) != nil }

    @Test func everyOpHasFixtureCases() {
        for op in ["avg_pool", "max_pool", "interpolate"] {
            #expect(Self.cases.contains { $0.op == op }, "no CLI fixture case for \(op): is Fixtures/torch-pool present?")
        }
    }

    @Test(arguments: cases)
    func matchesPyTorchInEveryForm(_ c: TorchPoolFixtureTests.Case) throws {
        let cli = try CLIRunner()
        let dir = try #require(TorchPoolFixtureTests.directory)
        let x = dir.appendingPathComponent(try #require(c.files["x"])).path
        let expected = try NPY.read(path: dir.appendingPathComponent(try #require(c.files["y"])).path)
        let hasNaN: Bool
        switch try NPY.read(path: x) {
        case .float32(let t): hasNaN = t.scalars.contains { $0.isNaN }
        case .float64(let t): hasNaN = t.scalars.contains { $0.isNaN }
        }
        // A dense GEMM turns 0·NaN into NaN, so NaN inputs are checked in the direct and sparse forms (see
        // TorchPoolFixtureTests). Every form runs on the float64 cases; float32 runs the direct form (the
        // library tests cover its other forms), which keeps the number of processes launched down.
        let forms: [Form] = c.dtype == "float64" ? Form.allCases : [.direct]
        for form in forms where !(hasNaN && form == .dense) {
            try cli.expectSuccess(["apply"] + Self.arguments(c)! + ["--form", form.rawValue, "--input", x, "--output", "y.npy"])
            let y = try cli.read("y.npy")
            #expect(y.dtypeName == c.dtype, "the output keeps X's dtype")
            #expect(y.shape == expected.shape)
            switch (y, expected) {
            case (.float32(let a), .float32(let b)): #expect(poolMaxError(a.scalars, b.scalars) <= 2e-6, "\(form)")
            case (.float64(let a), .float64(let b)): #expect(poolMaxError(a.scalars, b.scalars) <= 1e-13, "\(form)")
            default: Issue.record("dtype mismatch")
            }
        }
    }

    /// `--transpose --domain` applies Aᵀ: ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ through the binary, in every form.
    @Test(arguments: [
        ["avg-pool", "--kernel-size", "3", "--stride", "2", "--padding", "1", "--ceil-mode"],
        ["avg-pool", "--kernel-size", "2,3", "--padding", "1", "--no-count-include-pad"],
        ["upsample", "--scale", "3", "--mode", "nearest"],
        ["upsample", "--scale", "2", "--mode", "linear"],
    ])
    func transposeIsTheAdjoint(_ op: [String]) throws {
        let cli = try CLIRunner()
        let sample = op.contains("2,3") ? [2, 5, 7] : [2, 5]
        let x = try CLIRunner.random([3] + sample, seed: 31, as: Double.self)
        try cli.write(x, "x.npy")
        try cli.expectSuccess(["apply"] + op + ["--input", "x.npy", "--output", "ax.npy"])
        let ax = try cli.read("ax.npy").tensor(of: Double.self)
        let y = try CLIRunner.random(ax.shape.dims, seed: 32, as: Double.self)
        try cli.write(y, "y.npy")
        let lhs = zip(ax.scalars, y.scalars).reduce(0.0) { $0 + $1.0 * $1.1 }
        for form in Form.allCases {
            try cli.expectSuccess(["apply"] + op + ["--transpose", "--domain", sample.map(String.init).joined(separator: ","),
                                                    "--form", form.rawValue, "--input", "y.npy", "--output", "aty.npy"])
            let aty = try cli.read("aty.npy").tensor(of: Double.self)
            #expect(aty.shape == x.shape)
            let rhs = zip(x.scalars, aty.scalars).reduce(0.0) { $0 + $1.0 * $1.1 }
            #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)), "\(form): ⟨Ax, y⟩ = \(lhs), ⟨x, Aᵀy⟩ = \(rhs)")
        }
    }

    /// `show` prints the library's matrix (average weights, nearest's 0/1 selection, linear weights).
    @Test(arguments: [
        (["avg-pool", "--kernel-size", "3", "--stride", "2", "--padding", "1"], "avg"),
        (["upsample", "--scale", "2", "--mode", "nearest"], "nearest"),
        (["upsample", "--scale", "2", "--mode", "linear"], "linear"),
    ])
    func showPrintsTheMatrix(_ op: [String], _ kind: String) throws {
        let cli = try CLIRunner()
        let out = try cli.expectSuccess(["show"] + op + ["--domain", "1,5"])
        let cells = ShowTests.cells(out).map { $0.compactMap { Double($0) } }
        let a: DenseMatrix<Double>
        switch kind {
        case "avg": a = try AveragePooling<Double>(inputShape: [1, 5], kernelSize: [3], stride: [2], padding: [1]).dense()
        case "nearest": a = try Upsampling.nearest(inputShape: [1, 5], scale: [2], as: Double.self).dense()
        default: a = try Upsampling.linear(inputShape: [1, 5], scale: [2], as: Double.self).dense()
        }
        #expect(cells.count == a.rows && cells.allSatisfy { $0.count == a.columns }, "\(out)")
        for r in 0..<min(a.rows, cells.count) {
            for c in 0..<min(a.columns, cells[r].count) { #expect(abs(cells[r][c] - a[r, c]) < 1e-12, "(\(r), \(c)) in \(out)") }
        }
    }

    @Test(arguments: [
        (["apply", "max-pool", "--kernel-size", "0"], "kernel"),
        (["apply", "avg-pool", "--kernel-size", "2", "--stride", "0"], "stride"),
        (["apply", "max-pool", "--kernel-size", "2", "--dilation", "0"], "dilation"),
        (["apply", "avg-pool", "--kernel-size", "3", "--padding", "-1"], "negative"),
        (["apply", "avg-pool", "--kernel-size", "3", "--padding", "2"], "half"),
        (["apply", "max-pool", "--kernel-size", "9"], "larger than the padded input"),
        (["apply", "max-pool", "--kernel-size", "2", "--padding", "same"], "symmetric"),
        (["apply", "max-pool", "--kernel-size", "2", "--padding", "1,1,1"], "--padding"),
        (["apply", "max-pool"], "--kernel-size"),
        (["apply", "avg-pool", "--kernel-size", "2", "--dilation", "2"], "--dilation"),
        (["apply", "max-pool", "--kernel-size", "2", "--count-include-pad"], "--count-include-pad"),
        (["apply", "upsample", "--mode", "linear"], "--scale"),
        (["apply", "upsample", "--scale", "0"], "--scale"),
        (["apply", "upsample", "--scale", "2", "--mode", "cubic"], "cubic"),
        (["apply", "max-pool", "--kernel-size", "2", "--transpose", "--domain", "2,16"], "not linear"),
        (["apply", "avg-pool", "--kernel-size", "2", "--transpose", "--domain", "2,9"], "output shape"),
        (["show", "max-pool", "--kernel-size", "2", "--domain", "1,8"], "not linear"),
    ])
    func badArgumentsGiveOneErrorLine(_ arguments: [String], _ fragment: String) throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 2, 8], seed: 41, as: Float.self), "x.npy")
        let io = arguments[0] == "apply" ? ["--input", "x.npy", "--output", "y.npy"] : []
        try cli.expectFailure(arguments + io, output: "y.npy", containing: fragment)
    }

    @Test func inputsOfTheWrongRankAreRefused() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 8], seed: 42, as: Float.self), "x2.npy")
        try cli.write(try CLIRunner.random([1, 1, 2, 2, 2, 2], seed: 43, as: Float.self), "x6.npy")
        for x in ["x2.npy", "x6.npy"] {
            for op in [["max-pool", "--kernel-size", "2"], ["avg-pool", "--kernel-size", "2"], ["upsample", "--scale", "2"]] {
                try cli.expectFailure(["apply"] + op + ["--input", x, "--output", "y.npy"], output: "y.npy", containing: "shape")
            }
        }
    }
}
