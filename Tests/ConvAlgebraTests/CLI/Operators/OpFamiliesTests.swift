import ConvAlgebra
import Foundation
import Testing

/// The two families of ops: signal ops take the last axis of X as the sample (every leading axis is batch),
/// layer ops take everything after the batch axis, with 1 to 3 spatial dimensions; both refuse other shapes in
/// one line, and the kernel comes from `--weight` or, in `show`, `--kernel-size`.
@Suite struct OpFamiliesTests {
    /// A batch of shape (2, 3, n) gives the same rows as each row convolved on its own.
    @Test func signalOpsTreatEveryLeadingAxisAsBatch() throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([2, 3, 6], seed: 5, as: Double.self)
        try cli.write(x, "x.npy")
        try cli.write(try Tensor<Double>(shape: [2], scalars: [1, -1]), "w.npy")
        try cli.expectSuccess(["apply", "convolve", "--weight", "w.npy", "--input", "x.npy", "--output", "y.npy"])
        let y = try cli.read("y.npy").tensor(of: Double.self)
        #expect(y.shape.dims == [2, 3, 7])
        for r in 0..<6 {
            let row = Array(x.scalars[(r * 6)..<(r * 6 + 6)])
            // (q * x)[i] = x[i] − x[i − 1], zero outside.
            var expected = [Double](repeating: 0, count: 7)
            for i in 0..<7 {
                let current: Double = i < 6 ? row[i] : 0
                let previous: Double = i > 0 ? row[i - 1] : 0
                expected[i] = current - previous
            }
            for i in 0..<7 { #expect(abs(y.scalars[r * 7 + i] - expected[i]) < 1e-12) }
        }
    }

    @Test func layerOpsTakeTheSampleAfterTheBatchAxis() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([3, 2, 4, 4], seed: 6, as: Double.self), "x.npy")
        try cli.expectSuccess(["apply", "avg-pool", "--kernel-size", "2", "--input", "x.npy", "--output", "y.npy"])
        #expect(try cli.read("y.npy").tensor(of: Double.self).shape.dims == [3, 2, 2, 2])
    }

    @Test(arguments: [
        (["apply", "avg-pool", "--kernel-size", "2", "--input", "x2.npy", "--output", "y.npy"], "avg-pool needs X of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W)"),
        (["apply", "max-pool", "--kernel-size", "2", "--input", "x6.npy", "--output", "y.npy"], "max-pool needs X of shape"),
        (["apply", "convolve", "--weight", "w.npy", "--input", "x0.npy", "--output", "y.npy"], "convolve needs X of shape (..., n), got a 0-d array"),
        (["show", "conv", "--domain", "4", "--kernel-size", "2"], "conv works on samples (C, *S) with 1 to 3 spatial dimensions"),
        (["show", "convolve", "--domain", "2,3", "--kernel-size", "2"], "convolve works on 1-D samples"),
        (["show", "convolve", "--domain", "4", "--kernel-size", "2", "--weight", "w.npy"], "give convolve either --weight or --kernel-size, not both"),
        (["apply", "conv", "--kernel-size", "2", "--input", "x3.npy", "--output", "y.npy"], "--kernel-size gives conv a symbolic kernel, for show and explain only"),
        (["apply", "conv-transpose", "--input", "x3.npy", "--output", "y.npy"], "conv-transpose needs a kernel: --weight W.npy of shape (C_in, C_out/groups, *K)"),
        (["show", "convolve", "--domain", "4"], "or --kernel-size K for a symbolic one"),
    ])
    func otherShapesAndMissingKernelsAreOneLineErrors(arguments: [String], fragment: String) throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([4, 5], seed: 1, as: Double.self), "x2.npy")
        try cli.write(try CLIRunner.random([2, 1, 4], seed: 1, as: Double.self), "x3.npy")
        try cli.write(try CLIRunner.random([1, 1, 2, 2, 2, 2], seed: 1, as: Double.self), "x6.npy")
        try cli.write(try Tensor<Double>(shape: [], scalars: [1]), "x0.npy")
        try cli.write(try Tensor<Double>(shape: [2], scalars: [1, 1]), "w.npy")
        try cli.expectFailure(arguments, output: arguments.contains("--output") ? "y.npy" : nil, containing: fragment)
    }

    /// In `show`, `--kernel-size` gives a layer a symbolic kernel with as many output channels as input channels:
    /// a 1×1 kernel on 2 channels of length 1 is the 2 × 2 matrix of taps `q[o,i,kx]`, PyTorch's weight layout.
    @Test func symbolicLayerKernelsNameTheTapsByTheWeightIndex() throws {
        let out = try CLIRunner().expectSuccess(["show", "conv", "--domain", "2,1", "--kernel-size", "1"])
        #expect(ShowTests.cells(out) == [["q[0,0,0]", "q[0,1,0]"], ["q[1,0,0]", "q[1,1,0]"]], "\(out)")
    }
}
