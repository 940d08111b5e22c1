import ConvAlgebra
import Foundation
import Testing

/// `convalgebra apply --dtype float32|float64`: X, W and B cast to one dtype (NumPy's astype), Y in that dtype;
/// without it, mixed dtypes are one error line that says to pass `--dtype`.
@Suite struct ApplyDtypeTests {
    static let conv = ["apply", "conv", "--padding", "1", "--weight", "w.npy", "--bias", "b.npy", "--input", "x.npy"]

    @Test func mixedDtypesFailAndSuggestDtype() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 3, 5, 5], seed: 1, as: Double.self), "x.npy")
        try cli.write(try CLIRunner.random([4, 3, 3, 3], seed: 2, as: Float.self), "w.npy")
        try cli.write(try CLIRunner.random([4], seed: 3, as: Float.self), "b.npy")
        try cli.expectFailure(Self.conv + ["--output", "y.npy"], output: "y.npy", containing: "--dtype")
        try cli.expectFailure(Self.conv + ["--output", "y.npy", "--dtype", "float16"], output: "y.npy", containing: "unknown dtype")
    }

    /// With `--dtype`, the result is the one of the arrays cast beforehand (exactly: the same numbers go in).
    @Test(arguments: ["float32", "float64"])
    func castsEveryArrayToTheDtype(_ dtype: String) throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([2, 3, 5, 5], seed: 1, as: Double.self)
        let w = try CLIRunner.random([4, 3, 3, 3], seed: 2, as: Float.self)
        let b = try CLIRunner.random([4], seed: 3, as: Double.self)
        try cli.write(x, "x.npy"); try cli.write(w, "w.npy"); try cli.write(b, "b.npy")
        try cli.expectSuccess(Self.conv + ["--output", "y.npy", "--dtype", dtype])
        let y = try cli.read("y.npy")
        #expect(y.dtypeName == dtype)
        // The same computation on arrays cast in Swift, without --dtype.
        if dtype == "float32" {
            try cli.write(try Tensor(shape: x.shape, scalars: x.scalars.map { Float($0) }), "x.npy")
            try cli.write(try Tensor(shape: b.shape, scalars: b.scalars.map { Float($0) }), "b.npy")
        } else {
            try cli.write(try Tensor(shape: w.shape, scalars: w.scalars.map { Double($0) }), "w.npy")
        }
        try cli.expectSuccess(Self.conv + ["--output", "z.npy"])
        #expect(try cli.read("z.npy") == y)
    }
}
