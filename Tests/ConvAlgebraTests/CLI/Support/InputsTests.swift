import ConvAlgebra
import Foundation
import Testing

/// Reading the subcommands' shared inputs: the form word, arrays with their dtype named in errors, and the
/// batch shape check.
@Suite struct InputsTests {
    static func setUp(_ cli: CLIRunner) throws {
        try cli.write(try Tensor<Double>(shape: [2, 5], scalars: (0..<10).map(Double.init)), "x.npy")
        try cli.write(try Tensor<Float>(shape: [2], scalars: [1, 1]), "w32.npy")
        try cli.write(try Tensor<Double>(shape: [2], scalars: [1, 1]), "w64.npy")
    }

    @Test func unknownFormsListTheKnownOnes() throws {
        let cli = try CLIRunner()
        try Self.setUp(cli)
        try cli.expectFailure(["apply", "convolve", "--weight", "w64.npy", "--form", "gpu", "--input", "x.npy", "--output", "y.npy"],
                              output: "y.npy", containing: "unknown form 'gpu' (known: direct, dense, sparse, auto)")
    }

    @Test func dtypeMismatchNamesTheArrayAndBothDtypes() throws {
        let cli = try CLIRunner()
        try Self.setUp(cli)
        let text = try cli.expectFailure(["apply", "convolve", "--weight", "w32.npy", "--input", "x.npy", "--output", "y.npy"], output: "y.npy")
        #expect(text.contains("W ('w32.npy')") && text.contains("float32") && text.contains("float64"), "\(text)")
    }

    @Test func missingFilesAreNamed() throws {
        let cli = try CLIRunner()
        try Self.setUp(cli)
        try cli.expectFailure(["apply", "convolve", "--weight", "nope.npy", "--input", "x.npy", "--output", "y.npy"],
                              output: "y.npy", containing: "nope.npy")
        try cli.expectFailure(["apply", "convolve", "--weight", "w64.npy", "--input", "absent.npy", "--output", "y.npy"],
                              output: "y.npy", containing: "absent.npy")
    }

    /// With `--domain`, X must be a batch of such samples: its trailing extents are the sample's.
    @Test func inputMustEndInTheSampleShape() throws {
        let cli = try CLIRunner()
        try Self.setUp(cli)
        try cli.expectFailure(["apply", "downsample", "--factor", "2", "--domain", "4", "--input", "x.npy", "--output", "y.npy"],
                              output: "y.npy", containing: "does not end in the sample shape (4)")
        try cli.expectSuccess(["apply", "downsample", "--factor", "2", "--domain", "5", "--input", "x.npy", "--output", "y.npy"])
        #expect(try cli.read("y.npy").tensor(of: Double.self).scalars == [0, 2, 4, 5, 7, 9])
    }
}
