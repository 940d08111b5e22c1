import ConvAlgebra
import Foundation
import Testing

/// The contract's error rule, case by case: exactly one `error: …` line on stderr, a non-zero exit,
/// and no output file (an existing one untouched). Argument-parser's own errors included.
@Suite struct ConvAlgebraCommandTests {
    /// A scratch directory with a valid float32 X of shape (2, 8), a float32 W (3,), a float64 W (3,).
    static func fixture() throws -> CLIRunner {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 8], seed: 1, as: Float.self), "x.npy")
        try cli.write(try CLIRunner.random([3], seed: 2, as: Float.self), "w.npy")
        try cli.write(try CLIRunner.random([3], seed: 3, as: Double.self), "w64.npy")
        try cli.write(try CLIRunner.random([2, 3], seed: 4, as: Float.self), "w2d.npy")
        try cli.write(try CLIRunner.random([2, 8], seed: 5, as: Float.self), "y5.npy")
        return cli
    }

    static let io = ["--input", "x.npy", "--output", "y.npy"]

    /// Argument lists that must fail, with a fragment of the expected message.
    static let failures: [([String], String)] = [
        (["apply", "frobnicate"] + io, "unknown op 'frobnicate' (known: convolve, downsample, upsample-zeros"),
        (["apply", "frobnicate"], "unknown op 'frobnicate' (known: "),   // before argument-parser's "missing --input"
        (["show", "frobnicate", "--kernel-size", "3"], "unknown op 'frobnicate'"),
        (["apply", "convolve", "--weight", "w.npy", "--bogus"] + io, "Unknown option '--bogus'"),
        (["apply", "convolve", "--weight", "w.npy", "--input", "x.npy", "--output"], "Missing value for '--output"),
        (["apply", "convolve", "--weight", "w.npy", "--output", "y.npy"], "Missing expected argument '--input"),
        (["apply", "downsample", "--factor", "two"] + io, "'two' is invalid for '--factor"),
        (["apply", "convolve", "--weight", "w.npy", "--stride", "1,x"] + io, "'x' is not an integer"),
        (["apply", "convolve", "--weight", "w.npy", "--stride", "2,2"] + io, "convolve takes one --stride value"),
        (["apply", "convolve", "--weight", "w.npy", "--mode", "wrap"] + io, "unknown mode 'wrap' for convolve"),
        (["apply", "convolve", "--weight", "w.npy", "--form", "fast"] + io, "unknown form 'fast'"),
        (["apply", "convolve", "--weight", "w.npy", "--groups", "2"] + io, "--groups does not apply to convolve"),
        (["apply", "downsample", "--factor", "2", "--weight", "w.npy"] + io, "--weight does not apply to downsample"),
        (["apply", "upsample-zeros", "--factor", "2", "--phase", "1"] + io, "--phase does not apply to upsample-zeros"),
        (["apply", "convolve"] + io, "convolve needs a kernel"),
        (["apply", "convolve", "--kernel-size", "3"] + io, "for show and explain only"),
        (["apply", "convolve", "--weight", "w2d.npy"] + io, "weight of shape (K,), got shape (2, 3)"),
        (["apply", "convolve", "--weight", "w64.npy"] + io, "has dtype float64, but float32 is needed"),
        (["apply", "convolve", "--weight", "missing.npy"] + io, "cannot open 'missing.npy'"),
        (["apply", "convolve", "--weight", "w.npy", "--input", "nope.npy", "--output", "y.npy"], "cannot open 'nope.npy'"),
        (["apply", "convolve", "--weight", "w.npy", "--stride", "0"] + io, "stride must be at least 1, got 0"),
        (["apply", "convolve", "--weight", "w.npy", "--stride", "-2"] + io, "stride must be at least 1, got -2"),
        (["apply", "convolve", "--weight", "w.npy", "--dilation", "0"] + io, "dilation must be at least 1"),
        (["apply", "convolve", "--weight", "w.npy", "--dilation", "4", "--mode", "valid"] + io, "valid mode needs"),
        (["apply", "downsample", "--factor", "0"] + io, "--factor must be at least 1, got 0"),
        (["apply", "downsample", "--factor", "-3"] + io, "--factor must be at least 1, got -3"),
        (["apply", "downsample", "--factor", "2", "--phase", "-1"] + io, "phase must be non-negative"),
        // The contract decision of issue 13: a phase names one of the k polyphase components, 0 ≤ p < k.
        (["apply", "downsample", "--factor", "2", "--phase", "2"] + io, "the phase must be smaller than the factor 2, got 2"),
        (["apply", "downsample", "--factor", "3", "--phase", "8"] + io, "the phase must be smaller than the factor 3, got 8"),
        (["apply", "downsample"] + io, "downsample needs --factor"),
        (["apply", "upsample-zeros", "--factor", "0"] + io, "--factor must be at least 1"),
        (["apply", "downsample", "--factor", "2", "--transpose"] + io, "--transpose needs --domain"),
        (["apply", "downsample", "--factor", "2", "--transpose", "--domain", "8"] + io,
         "X's samples must have the forward output shape (4) of downsample on domain (8), but X has shape (2, 8)"),
        (["apply", "downsample", "--factor", "2", "--transpose", "--domain", "16,2"] + io, "1-D samples"),
        (["apply", "downsample", "--factor", "2", "--domain", "7"] + io, "does not end in the sample shape (7)"),
        (["apply", "downsample", "--factor", "2", "--transpose", "--domain", "a"] + io, "'a' is not an integer"),
        (["apply", "convolve", "--weight", "w.npy", "--input", "x.npy", "--output", "no/such/dir/y.npy"], "cannot create"),
        (["show", "convolve", "--kernel-size", "3"], "Missing expected argument '--domain"),
        (["show", "convolve", "--domain", "4"], "or --kernel-size K for a symbolic one"),
        (["show", "convolve", "--domain", "4", "--kernel-size", "3", "--weight", "w.npy"], "not both"),
        (["show", "convolve", "--domain", "65", "--kernel-size", "1"], "65 × 65, larger than --max-size 64"),
        (["show", "convolve", "--domain", "4", "--kernel-size", "0"], "--kernel-size must be at least 1"),
        (["show", "downsample", "--domain", "4", "--factor", "2", "--bias", "w.npy"], "--bias does not apply"),
        (["show", "frobnicate", "--domain", "4"], "unknown op 'frobnicate'"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
    ]

    @Test(arguments: failures)
    func everyFailureIsOneErrorLineAndNoOutput(arguments: [String], fragment: String) throws {
        let cli = try Self.fixture()
        try cli.expectFailure(arguments, output: "y.npy", containing: fragment)
    }

    /// Every malformed-input rule of the contract, through the binary.
    @Test(arguments: [
        ("bad magic", Array("not an npy file at all".utf8), "not an NPY file"),
        ("truncated header", NPYTests.file(header: NPYTests.dict(shape: "(8,)")).prefix(30).map { $0 }, "truncated header"),
        ("truncated data", NPYTests.file(header: NPYTests.dict(shape: "(8,)"), data: NPYTests.floats([1, 2])), "truncated data"),
        ("big-endian", NPYTests.file(header: NPYTests.dict(">f4", shape: "(2,)"), data: NPYTests.floats([1, 2])), "big-endian"),
        ("integer", NPYTests.file(header: NPYTests.dict("<i4", shape: "(2,)"), data: NPYTests.floats([1, 2])), "integer"),
        ("float16", NPYTests.file(header: NPYTests.dict("<f2", shape: "(2,)"), data: NPYTests.floats([1])), "float16"),
        ("fortran", NPYTests.file(header: NPYTests.dict(fortran: "True", shape: "(1, 2)"), data: NPYTests.floats([1, 2])), "fortran_order"),
    ])
    func malformedInputsAreOneErrorLine(name: String, bytes: [UInt8], fragment: String) throws {
        let cli = try Self.fixture()
        try cli.write(bytes: bytes, "bad.npy")
        try cli.expectFailure(["apply", "downsample", "--factor", "2", "--input", "bad.npy", "--output", "y.npy"],
                              output: "y.npy", containing: fragment)
        try cli.expectFailure(["apply", "convolve", "--weight", "bad.npy", "--input", "x.npy", "--output", "y.npy"],
                              output: "y.npy", containing: fragment)
    }

    @Test func anExistingOutputIsNotClobberedOnError() throws {
        let cli = try Self.fixture()
        try cli.write(bytes: Array("precious".utf8), "y.npy")
        try cli.expectFailure(["apply", "convolve", "--weight", "w64.npy"] + Self.io, output: "y.npy", containing: "dtype")
        try cli.expectFailure(["apply", "downsample", "--factor", "0"] + Self.io, output: "y.npy")
        #expect(FileManager.default.contents(atPath: cli.path("y.npy")) == Data("precious".utf8))
        // …and is replaced whole on success.
        try cli.expectSuccess(["apply", "downsample", "--factor", "2"] + Self.io)
        #expect(try cli.read("y.npy").shape.dims == [2, 4])
    }

    @Test func helpWorksAsUsual() throws {
        let cli = try CLIRunner()
        for args in [["--help"], ["apply", "--help"], ["show", "--help"], ["help", "apply"]] {
            let r = try cli.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.contains("USAGE:"))
            #expect(r.stderr.isEmpty)
        }
        #expect(try cli.run(["apply", "--help"]).stdout.contains("--count-include-pad/--no-count-include-pad"))
    }

    /// `--version` prints the library's one version string, as `major.minor.patch`, and exits 0.
    @Test func versionIsTheLibrarys() throws {
        let r = try CLIRunner().run(["--version"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout == ConvAlgebraVersion.string + "\n")
        #expect(ConvAlgebraVersion.string.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+/) != nil)
    }
}
