import ConvAlgebra
import Foundation
import Testing

/// `convolve`, `downsample` and `upsample-zeros` through the binary against results worked out by hand from
/// the contract's definitions (numpy.convolve's modes, `y[i] = x[i·k + p]`, `y[i·k] = x[i]`).
@Suite struct DSPOpsTests {
    static func apply(_ arguments: [String], x: [Double], w: [Double]? = nil) throws -> [Double] {
        let cli = try CLIRunner()
        try cli.write(try Tensor(shape: try Shape([x.count]), scalars: x), "x.npy")
        if let w { try cli.write(try Tensor(shape: try Shape([w.count]), scalars: w), "w.npy") }
        var results = [[Double]]()
        for form in ["direct", "dense", "sparse"] {
            try cli.expectSuccess(["apply"] + arguments + (w == nil ? [] : ["--weight", "w.npy"])
                                  + ["--form", form, "--input", "x.npy", "--output", "y.npy"])
            results.append(try cli.read("y.npy").tensor(of: Double.self).scalars)
        }
        #expect(results[1] == results[0] && results[2] == results[0], "forms differ: \(results)")
        return results[0]
    }

    /// `[1, 2, 3] * [1, 1]`: full `[1, 3, 5, 3]`; same keeps the centred 3; valid the 2 where they overlap fully.
    @Test func convolveFollowsNumPysModes() throws {
        #expect(try Self.apply(["convolve"], x: [1, 2, 3], w: [1, 1]) == [1, 3, 5, 3])
        #expect(try Self.apply(["convolve", "--mode", "full"], x: [1, 2, 3], w: [1, 1]) == [1, 3, 5, 3])
        #expect(try Self.apply(["convolve", "--mode", "valid"], x: [1, 2, 3], w: [1, 1]) == [3, 5])
        // numpy.convolve([1, 2, 3], [1, 2, 3], 'same') = [4, 10, 12]
        #expect(try Self.apply(["convolve", "--mode", "same"], x: [1, 2, 3], w: [1, 2, 3]) == [4, 10, 12])
        // circular: y[i] = Σ_k q[k] x[(i + (K−1)//2 − k) mod n]
        let circular: [Double] = [2 + 2 + 12, 3 + 4 + 3, 4 + 6 + 6, 1 + 8 + 9]
        #expect(try Self.apply(["convolve", "--mode", "circular"], x: [1, 2, 3, 4], w: [1, 2, 3]) == circular)
    }

    /// `--stride 2` keeps outputs 0, 2, …; `--dilation 2` convolves with `↑2 q = [1, 0, 1]`.
    @Test func strideKeepsEveryKthOutputAndDilationSpreadsTheKernel() throws {
        #expect(try Self.apply(["convolve", "--stride", "2"], x: [1, 2, 3], w: [1, 1]) == [1, 5])
        #expect(try Self.apply(["convolve", "--dilation", "2"], x: [1, 2, 3], w: [1, 1]) == [1, 2, 4, 2, 3])
    }

    @Test func downsampleKeepsEveryKthSampleFromThePhase() throws {
        let x = (0..<7).map(Double.init)
        #expect(try Self.apply(["downsample", "--factor", "2", "--phase", "1"], x: x) == [1, 3, 5])
        #expect(try Self.apply(["downsample", "--factor", "3"], x: x) == [0, 3, 6])   // ⌈7/3⌉ = 3 samples
    }

    @Test func upsampleZerosInsertsKMinusOneZeros() throws {
        #expect(try Self.apply(["upsample-zeros", "--factor", "3"], x: [1, 2]) == [1, 0, 0, 2, 0, 0])
    }

    @Test(arguments: [
        (["apply", "downsample", "--input", "x.npy", "--output", "y.npy"], "downsample needs --factor k"),
        (["apply", "upsample-zeros", "--factor", "0", "--input", "x.npy", "--output", "y.npy"], "--factor must be at least 1, got 0"),
        (["apply", "convolve", "--weight", "w2.npy", "--input", "x.npy", "--output", "y.npy"], "convolve needs a weight of shape (K,)"),
        (["apply", "convolve", "--weight", "w.npy", "--stride", "2,2", "--input", "x.npy", "--output", "y.npy"], "convolve takes one --stride value"),
    ])
    func errorsAreOneLine(arguments: [String], fragment: String) throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Double>(shape: [5], scalars: [1, 2, 3, 4, 5]), "x.npy")
        try cli.write(try Tensor<Double>(shape: [2], scalars: [1, 1]), "w.npy")
        try cli.write(try Tensor<Double>(shape: [2, 2], scalars: [1, 1, 1, 1]), "w2.npy")
        try cli.expectFailure(arguments, output: "y.npy", containing: fragment)
    }
}
