import ConvAlgebra
import Foundation
import Testing

/// `convalgebra apply/show conv|conv-transpose`: the three forms equal the library layers, `--transpose
/// --domain` is the adjoint, `show --weight` prints the layer's matrix, PyTorch's fixtures hold through the
/// binary, and every error rule of CLI.md for these ops is one `error:` line with no output file.
@Suite struct ConvOpsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: String
        var input: [Int]      // (N, C_in, *S)
        var weight: [Int]
        var bias: Bool
        var options: [String]
        /// The library layer: its forward and its linear part.
        var make: @Sendable (_ w: Tensor<Double>, _ b: [Double]?) throws -> (any LinearOperator<Double>, (Tensor<Double>) throws -> Tensor<Double>)
        var testDescription: String { ([op] + options).joined(separator: " ") + (bias ? " +bias" : "") }
    }

    static func conv(_ input: [Int], _ weight: [Int], bias: Bool = false, _ options: [String], stride: [Int] = [1],
                     padding: LayerPadding = .valid, dilation: [Int] = [1], groups: Int = 1, mode: PaddingMode = .zeros) -> Case {
        Case(op: "conv", input: input, weight: weight, bias: bias, options: options) { w, b in
            let l = try ConvolutionLayer<Double>(inputShape: Array(input.dropFirst()), weight: w, bias: try b.map { try Tensor($0) }, stride: stride,
                                                 padding: padding, dilation: dilation, groups: groups, paddingMode: mode)
            return (l.linear, { try l.forward($0) })
        }
    }

    static func convT(_ input: [Int], _ weight: [Int], bias: Bool = false, _ options: [String], stride: [Int] = [1],
                      padding: [Int] = [0], outputPadding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1) -> Case {
        Case(op: "conv-transpose", input: input, weight: weight, bias: bias, options: options) { w, b in
            let l = try TransposedConvolutionLayer<Double>(inputShape: Array(input.dropFirst()), weight: w, bias: try b.map { try Tensor($0) }, stride: stride,
                                                           padding: .symmetric(padding), outputPadding: outputPadding,
                                                           dilation: dilation, groups: groups)
            return (l.linear, { try l.forward($0) })
        }
    }

    static let cases: [Case] = [
        conv([2, 3, 10], [4, 3, 3], bias: true, ["--padding", "1"], padding: .symmetric([1])),
        conv([2, 2, 9], [2, 2, 4], ["--padding", "2,1", "--stride", "2"], stride: [2], padding: .explicit(begin: [2], end: [1])),
        conv([2, 2, 9], [3, 2, 4], ["--padding", "same", "--dilation", "2"], padding: .same, dilation: [2]),
        conv([2, 3, 9], [6, 1, 3], bias: true, ["--groups", "3", "--padding", "valid"], groups: 3),
        conv([2, 2, 7], [2, 2, 3], ["--padding", "2", "--padding-mode", "circular"], padding: .symmetric([2]), mode: .circular),
        conv([2, 2, 6, 5], [3, 2, 3, 3], bias: true, ["--stride", "2,1", "--padding", "1,2"], stride: [2, 1], padding: .symmetric([1, 2])),
        conv([2, 2, 5, 6], [2, 2, 2, 3], ["--padding", "1,0,0,2"], padding: .explicit(begin: [1, 0], end: [0, 2])),
        conv([1, 3, 5, 6], [3, 1, 3, 3], ["--padding", "1", "--groups", "3", "--padding-mode", "reflect"],
             padding: .symmetric([1]), groups: 3, mode: .reflect),
        conv([2, 4, 5, 5], [4, 2, 2, 2], ["--padding", "1", "--dilation", "2", "--groups", "2", "--padding-mode", "replicate"],
             padding: .symmetric([1]), dilation: [2], groups: 2, mode: .replicate),
        conv([1, 2, 4, 5, 4], [2, 2, 2, 3, 2], bias: true, ["--stride", "1,2,1", "--padding", "1,1,0"], stride: [1, 2, 1],
             padding: .symmetric([1, 1, 0])),
        convT([2, 2, 5], [2, 3, 3], bias: true, []),
        convT([2, 2, 6], [2, 2, 4], ["--stride", "2", "--padding", "1", "--output-padding", "1"], stride: [2], padding: [1], outputPadding: [1]),
        convT([2, 4, 5], [4, 3, 2], ["--stride", "2", "--groups", "2", "--dilation", "2"], stride: [2], dilation: [2], groups: 2),
        convT([2, 3, 4, 4], [3, 2, 4, 4], bias: true, ["--stride", "2", "--padding", "1"], stride: [2], padding: [1]),
        convT([1, 4, 3, 4], [4, 1, 2, 3], ["--stride", "3,1", "--padding", "0,1", "--output-padding", "2,0", "--dilation", "1,2", "--groups", "2"],
              stride: [3, 1], padding: [0, 1], outputPadding: [2, 0], dilation: [1, 2], groups: 2),
        convT([1, 2, 3, 2, 3], [2, 2, 2, 3, 2], ["--stride", "2,1,2", "--padding", "0,1,1", "--output-padding", "1,0,0"],
              stride: [2, 1, 2], padding: [0, 1, 1], outputPadding: [1, 0, 0]),
    ]

    /// Writes x, w (and b) for a case; returns them.
    func setUp(_ c: Case, _ cli: CLIRunner) throws -> (Tensor<Double>, Tensor<Double>, [Double]?) {
        let x = try CLIRunner.random(c.input, seed: 61, as: Double.self)
        let w = try CLIRunner.random(c.weight, seed: 62, as: Double.self)
        let cout = c.op == "conv" ? c.weight[0] : c.weight[1] * (Int(c.options.groupsValue) ?? 1)
        let b = try CLIRunner.random([cout], seed: 63, as: Double.self)
        try cli.write(x, "x.npy"); try cli.write(w, "w.npy"); try cli.write(b, "b.npy")
        return (x, w, c.bias ? b.scalars : nil)
    }

    @Test(arguments: cases)
    func formsAgreeWithTheLibrary(_ c: Case) throws {
        let cli = try CLIRunner()
        let (x, w, b) = try setUp(c, cli)
        let expected = try c.make(w, b).1(x)
        let args = ["apply", c.op] + c.options + ["--weight", "w.npy"] + (c.bias ? ["--bias", "b.npy"] : [])
        for form in Form.allCases {
            try cli.expectSuccess(args + ["--form", form.rawValue, "--input", "x.npy", "--output", "y-\(form).npy"])
            let y = try cli.read("y-\(form).npy").tensor(of: Double.self)
            #expect(y.shape == expected.shape, "\(form)")
            expectClose(y.scalars, expected.scalars, tol: 1e-12, "\(c) \(form)")
        }
        // float32 in, float32 out.
        try cli.write(try Tensor<Float>(shape: x.shape, scalars: x.scalars.map(Float.init)), "x32.npy")
        try cli.write(try Tensor<Float>(shape: w.shape, scalars: w.scalars.map(Float.init)), "w32.npy")
        if c.bias { try cli.write(try Tensor<Float>(shape: [b!.count], scalars: b!.map(Float.init)), "b32.npy") }
        try cli.expectSuccess(["apply", c.op] + c.options + ["--weight", "w32.npy"] + (c.bias ? ["--bias", "b32.npy"] : [])
                              + ["--input", "x32.npy", "--output", "y32.npy"])
        guard case .float32(let y32) = try cli.read("y32.npy") else { Issue.record("not float32"); return }
        expectClose(y32.scalars.map(Double.init), expected.scalars, tol: 1e-5, "float32")
    }

    @Test(arguments: cases)
    func transposeIsTheAdjointInEveryForm(_ c: Case) throws {
        let cli = try CLIRunner()
        let (x, w, _) = try setUp(c, cli)
        let (linear, _) = try c.make(w, nil)
        let ax = try linear.apply(x)
        let y = try CLIRunner.random(ax.shape.dims, seed: 64, as: Double.self)
        try cli.write(y, "y.npy")
        let domain = c.input.dropFirst().map(String.init).joined(separator: ",")
        for form in Form.allCases {
            try cli.expectSuccess(["apply", c.op] + c.options + ["--weight", "w.npy", "--transpose", "--domain", domain,
                                                                 "--form", form.rawValue, "--input", "y.npy", "--output", "aty.npy"])
            let aty = try cli.read("aty.npy").tensor(of: Double.self)
            #expect(aty.shape == x.shape)
            let lhs = dot(ax.scalars, y.scalars), rhs = dot(x.scalars, aty.scalars)
            #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)), "⟨Ax, y⟩ = \(lhs), ⟨x, Aᵀy⟩ = \(rhs) (\(form))")
        }
    }

    @Test(arguments: [cases[1], cases[7], cases[11], cases[14]])
    func showPrintsTheLayerMatrix(_ c: Case) throws {
        let cli = try CLIRunner()
        let (_, w, _) = try setUp(c, cli)
        let (linear, _) = try c.make(w, nil)
        let domain = c.input.dropFirst().map(String.init).joined(separator: ",")
        for transpose in [false, true] {
            let out = try cli.expectSuccess(["show", c.op, "--domain", domain, "--weight", "w.npy", "--max-size", "200"] + c.options
                                            + (transpose ? ["--transpose"] : []))
            let a = try (transpose ? linear.anyTransposed : linear).dense(budget: .unlimited)
            let cells = ShowTests.cells(out).map { $0.map { Double($0) ?? .nan } }
            #expect(cells.count == a.rows && cells.allSatisfy { $0.count == a.columns })
            expectClose(cells.flatMap { $0 }, a.entries, tol: 1e-15, "show \(c)\(transpose ? " --transpose" : "")")
        }
    }

    /// `show --kernel-size` prints symbolic matrices; for 1-D they are the reference text's: PyTorch's conv (a
    /// cross-correlation) with padding 1 is `(q*)ᵀ`, its transpose is `q * x`, and conv_transpose with stride 2,
    /// padding 1, output padding 1 is the reference's transposed convolution `q * (↑2 x) = (↓2 (q*)ᵀ)ᵀ`.
    /// A layer names its taps by the weight's index, `q[o,i,kx]`: here `q[0,0,k]` is the reference's `qk`.
    @Test(arguments: [
        (["conv", "--domain", "1,4", "--padding", "1"], "q1 q2 0 0 / q0 q1 q2 0 / 0 q0 q1 q2 / 0 0 q0 q1"),
        (["conv", "--domain", "1,4", "--padding", "1", "--transpose"], "q1 q0 0 0 / q2 q1 q0 0 / 0 q2 q1 q0 / 0 0 q2 q1"),
        (["conv", "--domain", "1,4", "--padding", "1", "--stride", "2"], "q1 q2 0 0 / 0 q0 q1 q2"),
        (["conv-transpose", "--domain", "1,2", "--stride", "2", "--padding", "1", "--output-padding", "1"], "q1 0 / q2 q0 / 0 q1 / 0 q2"),
        // Reflect padding folds the border taps onto the samples they mirror.
        (["conv", "--domain", "1,4", "--padding", "1", "--padding-mode", "reflect"], "q1 q0+q2 0 0 / q0 q1 q2 0 / 0 q0 q1 q2 / 0 0 q0+q2 q1"),
    ])
    func showKernelSizeReproducesTheReferenceMatrices(_ arguments: [String], _ expected: String) throws {
        let out = try CLIRunner().expectSuccess(["show"] + arguments + ["--kernel-size", "3"])
        let named = expected.replacingOccurrences(of: #"q(\d)"#, with: "q[0,0,$1]", options: .regularExpression)
        #expect(ShowTests.cells(out) == named.components(separatedBy: " / ").map { $0.split(separator: " ").map(String.init) }, "\(out)")
    }

    /// Symbolic and numeric `show` agree for a multi-channel, grouped, padded layer: substituting the weight's
    /// values for q0, q1, … (PyTorch's weight layout) gives the numeric matrix.
    @Test func symbolicEntriesEvaluateToTheNumericOnes() throws {
        let cli = try CLIRunner()
        for (op, extra) in [("conv", ["--groups", "2", "--padding", "1,0,2,1", "--padding-mode", "replicate", "--stride", "2,1"]),
                            ("conv-transpose", ["--groups", "2", "--stride", "2", "--padding", "1", "--output-padding", "1"])] {
            let w = try CLIRunner.random([4, 2, 2, 3], seed: 81, as: Double.self)
            try cli.write(w, "w.npy")
            let base = ["show", op, "--domain", "4,3,3", "--max-size", "300"] + extra
            let symbolic = ShowTests.cells(try cli.expectSuccess(base + ["--kernel-size", "2,3"]))
            let numeric = ShowTests.cells(try cli.expectSuccess(base + ["--weight", "w.npy"]))
            #expect(symbolic.count == numeric.count && !symbolic.isEmpty)
            for (srow, nrow) in zip(symbolic, numeric) {
                #expect(srow.count == nrow.count)
                for (s, n) in zip(srow, nrow) {
                    // "0", "q[1,0,1,2]", "q[0,0,0,0]+q[0,1,0,0]": a sum of taps named by the weight's index.
                    let value = s == "0" ? 0 : s.split(separator: "+").reduce(0.0) {
                        $0 + (ShowTests.flatTap($1, shape: w.shape.dims).map { w.scalars[$0] } ?? .nan)
                    }
                    #expect(abs(value - (Double(n) ?? .nan)) <= 1e-15, "\(op): \(s) printed as \(n)")
                }
            }
        }
    }

    @Test func pyTorchFixturesHoldThroughTheBinary() throws {
        // A few fixture cases, run as external suites would: the manifest's options spelled as CLI options.
        let wanted = ["c2-same-reflect", "c1-reflect-asym", "c3-circular", "c2-replicate-groups", "t2-s2-op1", "t3-s2", "t1-groups"]
        let cases = ConvolutionLayerFixtureTests.cases.filter { wanted.contains($0.id) }
        #expect(cases.count == 2 * wanted.count, "fixture cases missing from Fixtures/torch-conv")
        let dir = try #require(ConvolutionLayerFixtureTests.directory)
        let cli = try CLIRunner()
        for c in cases {
            func file(_ role: String) throws -> String { dir.appendingPathComponent(try #require(c.files[role])).path }
            var args = ["apply", c.op == "conv" ? "conv" : "conv-transpose", "--input", try file("x"), "--weight", try file("w"),
                        "--stride", c.stride.map(String.init).joined(separator: ","),
                        "--dilation", c.dilation.map(String.init).joined(separator: ","), "--groups", "\(c.groups)",
                        "--padding", c.padding_word ?? c.padding!.map(String.init).joined(separator: ",")]
            if c.bias { args += ["--bias", try file("b")] }
            if let m = c.padding_mode { args += ["--padding-mode", m] }
            if let op = c.output_padding { args += ["--output-padding", op.map(String.init).joined(separator: ",")] }
            for form in Form.allCases {
                try cli.expectSuccess(args + ["--form", form.rawValue, "--output", "y.npy"])
                let expected = try NPY.read(path: try file("y"))
                let tol = c.dtype == "float32" ? 2e-5 : 1e-12
                switch (try cli.read("y.npy"), expected) {
                case (.float32(let y), .float32(let e)): expectClose(y.scalars, e.scalars, tol: tol, "\(c.id) f32 \(form)")
                case (.float64(let y), .float64(let e)): expectClose(y.scalars, e.scalars, tol: tol, "\(c.id) f64 \(form)")
                default: Issue.record("\(c.id): the output dtype is not the input's")
                }
            }
        }
    }

    @Test func everyErrorRuleIsOneLine() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 4, 8, 8], seed: 71, as: Double.self), "x.npy")
        try cli.write(try CLIRunner.random([2, 4, 8, 8], seed: 71, as: Float.self), "x32.npy")
        try cli.write(try CLIRunner.random([4, 8], seed: 71, as: Double.self), "x2d.npy")
        try cli.write(try CLIRunner.random([6, 2, 3, 3], seed: 72, as: Double.self), "w.npy")     // groups 2
        try cli.write(try CLIRunner.random([6, 4, 3], seed: 72, as: Double.self), "w-rank.npy")
        try cli.write(try CLIRunner.random([6, 3, 3, 3], seed: 72, as: Double.self), "w-chan.npy")
        try cli.write(try CLIRunner.random([6, 2, 9, 3], seed: 72, as: Double.self), "w-big.npy")
        try cli.write(try Tensor<Double>(shape: [6, 2, 0, 3], scalars: []), "w-zero.npy")
        try cli.write(try CLIRunner.random([6], seed: 73, as: Double.self), "b.npy")
        try cli.write(try CLIRunner.random([5], seed: 73, as: Double.self), "b-len.npy")
        try cli.write(try CLIRunner.random([6, 1], seed: 73, as: Double.self), "b-rank.npy")
        try cli.write(try CLIRunner.random([4, 3, 3, 3], seed: 74, as: Double.self), "wt.npy")   // conv-transpose, C_out 3·G
        try cli.write(try CLIRunner.random([2, 6, 6, 6], seed: 75, as: Double.self), "y.npy")
        let conv = ["apply", "conv", "--input", "x.npy", "--output", "out.npy"]
        let convG = conv + ["--groups", "2"]
        let convT = ["apply", "conv-transpose", "--input", "x.npy", "--output", "out.npy", "--weight", "wt.npy"]
        let failing: [([String], String?)] = [
            (conv, "--weight"),                                                         // no kernel
            (convG + ["--weight", "w-rank.npy"], "rank"),                               // weight of the wrong rank
            (convG + ["--weight", "w-chan.npy"], "channels"),                           // wrong channel count
            (conv + ["--weight", "w.npy"], "channels"),                                 // C_in/groups mismatch without --groups
            (convG + ["--weight", "w.npy", "--bias", "b-len.npy"], "bias"),             // bias of the wrong length
            (convG + ["--weight", "w.npy", "--bias", "b-rank.npy"], "bias"),
            (convG + ["--weight", "w.npy", "--stride", "0"], "stride"),
            (convG + ["--weight", "w.npy", "--stride", "-1"], "stride"),
            (convG + ["--weight", "w.npy", "--stride", "1,2,3"], "stride"),
            (convG + ["--weight", "w.npy", "--dilation", "0"], "dilation"),
            (convG + ["--weight", "w.npy", "--dilation", "-2"], "dilation"),
            (conv + ["--weight", "w.npy", "--groups", "0"], "groups"),
            (conv + ["--weight", "w.npy", "--groups", "-2"], "groups"),
            (conv + ["--weight", "w.npy", "--groups", "3"], "groups"),                  // 3 does not divide 4
            (convG + ["--weight", "w-zero.npy"], nil),                                  // zero kernel size
            (convG + ["--weight", "w.npy", "--padding", "-1"], "negative"),
            (convG + ["--weight", "w.npy", "--padding", "1,1,1"], "--padding"),
            (convG + ["--weight", "w.npy", "--padding", "wide"], "--padding"),
            (convG + ["--weight", "w-big.npy"], "larger"),                              // kernel larger than the padded input
            (convG + ["--weight", "w.npy", "--dilation", "4"], "larger"),               // dilated kernel 9 > 8
            (convG + ["--weight", "w.npy", "--padding-mode", "mirror", "--padding", "1"], "padding mode"),
            (convG + ["--weight", "w.npy", "--padding", "same", "--stride", "2"], "same"),
            (convG + ["--weight", "w.npy", "--padding", "8", "--padding-mode", "reflect"], "reflect"),
            (convG + ["--weight", "w.npy", "--output-padding", "1"], "--output-padding"), // not a conv option
            (convG + ["--weight", "w.npy", "--kernel-size", "3"], "not both"),
            (convG + ["--kernel-size", "3"], "show and explain only"),                              // a symbolic kernel in apply
            (convG + ["--weight", "w.npy", "--bias", "b.npy", "--transpose", "--domain", "4,8,8"], "transpose"),
            (convG + ["--weight", "w.npy", "--transpose", "--domain", "4,8,9"], "forward output"),
            (["apply", "conv", "--input", "x32.npy", "--output", "out.npy", "--weight", "w.npy", "--groups", "2"], nil), // dtypes
            (["apply", "conv", "--input", "x2d.npy", "--output", "out.npy", "--weight", "w.npy", "--groups", "2"], "(N, C"),
            (convG + ["--weight", "missing.npy"], nil),
            (convT + ["--padding-mode", "reflect"], "--padding-mode"),                  // not a conv-transpose option
            (convT + ["--stride", "2", "--output-padding", "2"], "output padding"),     // ≥ stride and ≥ dilation
            (convT + ["--output-padding", "-1"], nil),
            (convT + ["--groups", "3"], "groups"),
            (convT + ["--stride", "0"], "stride"),
            (convT + ["--padding", "-1"], "negative"),
            (convT + ["--padding", "same"], "same"),
            (convT + ["--padding", "5"], "output size"),
            (["apply", "conv-transpose", "--input", "x.npy", "--output", "out.npy", "--weight", "w.npy"], "channels"),
            (convT + ["--bias", "b.npy"], "bias"),                                      // C_out = 3, not 6
            (["apply", "conv-transpose", "--input", "y.npy", "--output", "out.npy", "--weight", "wt.npy", "--transpose",
              "--domain", "4,3,3"], "forward output"),
            (["show", "conv", "--domain", "4,8,8", "--groups", "2"], "--weight"),
            (["show", "conv", "--domain", "4,8,8", "--groups", "3", "--kernel-size", "3"], "groups"),
            (["show", "conv", "--domain", "4,8,8", "--kernel-size", "3,3,3"], "--kernel-size"),
            (["show", "conv", "--domain", "4,8,8", "--kernel-size", "0"], "--kernel-size"),
            (["show", "conv", "--domain", "4,8,8", "--groups", "2", "--weight", "w.npy"], "max-size"),  // 216 × 256
        ]
        for (args, fragment) in failing {
            try cli.expectFailure(args, output: "out.npy", containing: fragment)
        }
    }
}

private extension Array where Element == String {
    /// The value after `--groups`, for sizing the bias of a conv-transpose case.
    var groupsValue: String { firstIndex(of: "--groups").map { self[$0 + 1] } ?? "1" }
}
