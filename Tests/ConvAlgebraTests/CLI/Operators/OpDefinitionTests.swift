import ConvAlgebra
import Foundation
import Testing

/// What the framework does with a built op: a bias is a per-channel offset added after the linear part (so
/// it has no transpose), a non-linear op has none either, and the three forms apply the same map.
@Suite struct OpDefinitionTests {
    /// `conv` with a bias equals `conv` without it plus `b[c]` on every position of channel `c`.
    @Test(arguments: ["direct", "dense", "sparse"])
    func biasIsAPerChannelOffset(form: String) throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 3, 7], seed: 1, as: Double.self), "x.npy")
        try cli.write(try CLIRunner.random([4, 3, 2], seed: 2, as: Double.self), "w.npy")
        let b: [Double] = [10, -20, 30, 0.5]
        try cli.write(try Tensor(shape: [4], scalars: b), "b.npy")
        let io = ["--form", form, "--input", "x.npy", "--weight", "w.npy"]
        try cli.expectSuccess(["apply", "conv"] + io + ["--output", "plain.npy"])
        try cli.expectSuccess(["apply", "conv"] + io + ["--bias", "b.npy", "--output", "biased.npy"])
        let plain = try cli.read("plain.npy").tensor(of: Double.self), biased = try cli.read("biased.npy").tensor(of: Double.self)
        #expect(biased.shape == plain.shape && plain.shape.dims == [2, 4, 6])
        for n in 0..<2 { for c in 0..<4 { for i in 0..<6 {
            let k = (n * 4 + c) * 6 + i
            #expect(abs(biased.scalars[k] - plain.scalars[k] - b[c]) < 1e-12)
        } } }
    }

    @Test func affineAndNonLinearOpsHaveNoTranspose() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([1, 4, 6], seed: 3, as: Double.self), "y.npy")
        try cli.write(try CLIRunner.random([4, 2, 1], seed: 4, as: Double.self), "w.npy")
        try cli.write(try Tensor<Double>(shape: [4], scalars: [1, 2, 3, 4]), "b.npy")
        try cli.expectFailure(["apply", "conv", "--weight", "w.npy", "--bias", "b.npy", "--transpose", "--domain", "2,6",
                               "--input", "y.npy", "--output", "x.npy"], output: "x.npy", containing: "affine, not linear")
        try cli.expectFailure(["apply", "max-pool", "--kernel-size", "2", "--transpose", "--domain", "4,12",
                               "--input", "y.npy", "--output", "x.npy"], output: "x.npy", containing: "max-pool is not linear")
    }

    /// Max pooling's forward in every form is the maximum of each window (worked out here).
    @Test(arguments: ["direct", "dense", "sparse"])
    func maxPoolTakesEachWindowsMaximumInEveryForm(form: String) throws {
        let cli = try CLIRunner()
        let x: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, -5, -3, -5, -8]
        try cli.write(try Tensor(shape: [2, 1, 6], scalars: x), "x.npy")
        try cli.expectSuccess(["apply", "max-pool", "--kernel-size", "2", "--form", form, "--input", "x.npy", "--output", "y.npy"])
        #expect(try cli.read("y.npy").tensor(of: Double.self).scalars == [3, 4, 9, 6, -3, -5])
    }
}
