import ConvAlgebra
import Foundation
import Testing

/// Chains on the command line (`OP … --then 'OP …'`), through the built binary: a chain applied equals its
/// stages applied one by one (every form, and the transpose as the reversed transposes); its exported matrix is
/// the product of the stages' exported matrices (a max-pool's Jacobian taken at its own input); a stage that
/// does not fit is one error naming it.
@Suite struct OpChainTests {
    /// Nearest up-sampling ×2, a 3×3 conv with a bias, a 2×2 max-pool: the decoder block of the issue.
    static let decoder = ["upsample", "--scale", "2", "--then", "conv --weight w.npy --bias b.npy --padding 1",
                          "--then", "max-pool --kernel-size 2"]

    static func setUp() throws -> CLIRunner {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([3, 2, 3, 3], seed: 1, as: Float.self), "w.npy")
        try cli.write(try CLIRunner.random([3], seed: 2, as: Float.self), "b.npy")
        try cli.write(try CLIRunner.random([4, 2, 3, 5], seed: 3, as: Float.self), "x.npy")
        return cli
    }

    static func maxDifference(_ cli: CLIRunner, _ a: String, _ b: String) throws -> Float {
        let (x, y) = (try cli.read(a).tensor(of: Float.self), try cli.read(b).tensor(of: Float.self))
        #expect(x.shape == y.shape, "\(a) has shape \(x.shape), \(b) \(y.shape)")
        return zip(x.scalars, y.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: ["direct", "dense", "sparse"])
    func aChainAppliedEqualsItsStagesOneByOne(form: String) throws {
        let cli = try Self.setUp()
        try cli.expectSuccess(["apply"] + Self.decoder + ["--input", "x.npy", "--output", "y.npy", "--form", form])
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--input", "x.npy", "--output", "s1.npy"])
        try cli.expectSuccess(["apply", "conv", "--weight", "w.npy", "--bias", "b.npy", "--padding", "1", "--input", "s1.npy", "--output", "s2.npy"])
        try cli.expectSuccess(["apply", "max-pool", "--kernel-size", "2", "--input", "s2.npy", "--output", "s3.npy"])
        #expect(try Self.maxDifference(cli, "y.npy", "s3.npy") <= 1e-5)
    }

    @Test func aLinearChainTransposesAsItsReversedTransposes() throws {
        let cli = try Self.setUp()
        let chain = ["upsample", "--scale", "2", "--then", "conv --weight w.npy --padding 1 --stride 2", "--then", "avg-pool --kernel-size 2"]
        try cli.expectSuccess(["apply"] + chain + ["--input", "x.npy", "--output", "y.npy"])
        // (P C U)ᵀ z = Uᵀ Cᵀ Pᵀ z, each stage's transpose on its own domain.
        let y = try cli.read("y.npy").tensor(of: Float.self)
        try cli.write(try CLIRunner.random(y.shape.dims, seed: 9, as: Float.self), "z.npy")
        try cli.expectSuccess(["apply"] + chain + ["--transpose", "--domain", "2,3,5", "--input", "z.npy", "--output", "u.npy"])
        try cli.expectSuccess(["apply", "avg-pool", "--kernel-size", "2", "--transpose", "--domain", "3,3,5", "--input", "z.npy", "--output", "t1.npy"])
        try cli.expectSuccess(["apply", "conv", "--weight", "w.npy", "--padding", "1", "--stride", "2", "--transpose", "--domain", "2,6,10",
                               "--input", "t1.npy", "--output", "t2.npy"])
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--transpose", "--domain", "2,3,5", "--input", "t2.npy", "--output", "t3.npy"])
        #expect(try Self.maxDifference(cli, "u.npy", "t3.npy") <= 1e-5)
    }

    /// The dense matrix in an exported `.npz`.
    static func matrix(_ cli: CLIRunner, _ name: String) throws -> DenseMatrix<Float> {
        try NPZ.read(path: cli.path(name)).matrix(of: Float.self).dense()
    }

    @Test func aChainExportsTheProductOfItsStagesMatrices() throws {
        let cli = try Self.setUp()
        let x0 = try cli.read("x.npy").tensor(of: Float.self).scalars.prefix(30)
        try cli.write(try Tensor(shape: [1, 2, 3, 5], scalars: Array(x0)), "x0.npy")
        // The linear part of the chain (export refuses a bias): conv without its bias.
        let chain = ["upsample", "--scale", "2", "--then", "conv --weight w.npy --padding 1", "--then", "max-pool --kernel-size 2"]
        try cli.expectSuccess(["export"] + chain + ["--domain", "2,3,5", "--input", "x0.npy", "--output", "chain.npz"])
        try cli.expectSuccess(["export", "upsample", "--scale", "2", "--domain", "2,3,5", "--output", "u.npz"])
        try cli.expectSuccess(["export", "conv", "--weight", "w.npy", "--padding", "1", "--domain", "2,6,10", "--output", "c.npz"])
        // The max-pool's Jacobian at its own input: x0 through the two stages before it.
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--then", "conv --weight w.npy --padding 1", "--input", "x0.npy", "--output", "m.npy"])
        try cli.expectSuccess(["export", "max-pool", "--kernel-size", "2", "--domain", "3,6,10", "--input", "m.npy", "--output", "p.npz"])
        let product = try Self.matrix(cli, "p.npz").multiplied(by: Self.matrix(cli, "c.npz").multiplied(by: Self.matrix(cli, "u.npz")))
        let exported = try Self.matrix(cli, "chain.npz")
        #expect(exported.rows == product.rows && exported.columns == product.columns)
        #expect(zip(exported.entries, product.entries).allSatisfy { abs($0 - $1) <= 1e-5 }, "the chain's matrix is not the product")
        // The transpose of the chain's matrix is the chain's transpose exported.
        try cli.expectSuccess(["export"] + chain + ["--domain", "2,3,5", "--input", "x0.npy", "--transpose", "--output", "t.npz"])
        #expect(try Self.matrix(cli, "t.npz") == exported.transposed())
    }

    @Test func showAndAnalyzeTakeChains() throws {
        let cli = try CLIRunner()
        // ↓2 ↑2 = I: the chain's matrix printed by show is the identity.
        let text = try cli.expectSuccess(["show", "upsample-zeros", "--factor", "2", "--then", "downsample --factor 2", "--domain", "3", "--no-header"])
        #expect(text == "1  0  0\n0  1  0\n0  0  1\n")
        let report = try cli.expectSuccess(["analyze", "upsample-zeros", "--factor", "2", "--then", "downsample --factor 2", "--domain", "3"])
        #expect(report.contains("upsample-zeros → downsample"))
    }

    @Test func badStagesAreOneErrorNamingTheStage() throws {
        let cli = try Self.setUp()
        let apply = ["apply", "upsample", "--scale", "2", "--input", "x.npy", "--output", "y.npy"]
        try cli.expectFailure(apply + ["--then", "frobnicate --x 1"], output: "y.npy", containing: "unknown op 'frobnicate'")
        try cli.expectFailure(apply + ["--then", "avg-pool --kernel-size 2 --weight w.npy"], output: "y.npy", containing: "stage 2 (avg-pool)")
        try cli.expectFailure(apply + ["--then", "avg-pool --kernel-size 2 --bogus 3"], output: "y.npy", containing: "stage 2 (avg-pool)")
        // Channels: the conv takes 2, the stage before it gives 2, so a 3-channel conv after the first conv does not fit.
        try cli.expectFailure(apply + ["--then", "conv --weight w.npy", "--then", "conv --weight w.npy"], output: "y.npy",
                              containing: "stage 3 (conv)")
        try cli.expectFailure(apply + ["--then", "convolve --weight b.npy"], output: "y.npy", containing: "stage 2 (convolve)")
        try cli.expectFailure(apply + ["--then", ""], output: "y.npy", containing: "stage 2")
        try cli.expectFailure(apply + ["--then", "conv --weight 'w.npy"], output: "y.npy", containing: "quote")
        // An affine chain has no transpose; a chain with a max-pool exports its Jacobian only at an --input.
        try cli.write(try CLIRunner.random([4, 3, 6, 10], seed: 5, as: Float.self), "z.npy")
        try cli.expectFailure(["apply", "upsample", "--scale", "2", "--then", "conv --weight w.npy --bias b.npy --padding 1",
                               "--transpose", "--domain", "2,3,5", "--input", "z.npy", "--output", "y.npy"], output: "y.npy", containing: "--bias")
        try cli.expectFailure(["export", "upsample", "--scale", "2", "--then", "max-pool --kernel-size 2", "--domain", "2,3,5",
                               "--output", "a.npz"], output: "a.npz", containing: "--input")
    }

    @Test func stageWordsSplitAtBlanksAndQuotesKeepBlanks() throws {
        let cli = try Self.setUp()
        try cli.write(try cli.read("w.npy").tensor(of: Float.self), "my w.npy")
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--then", "conv  --weight 'my w.npy'\t--padding \"1\"",
                               "--input", "x.npy", "--output", "y.npy"])
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--then", "conv --weight w.npy --padding 1",
                               "--input", "x.npy", "--output", "z.npy"])
        #expect(try Self.maxDifference(cli, "y.npy", "z.npy") == 0)
    }
}
