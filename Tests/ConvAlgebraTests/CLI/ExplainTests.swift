import ConvAlgebra
import Foundation
import Testing

/// `convalgebra explain`: the reference's notation on the first line for every op of docs/CLI.md, then the facts;
/// `--json` writes them; bad input fails with one error line.
@Suite struct ExplainTests {
    @Test(arguments: [
        (["convolve", "--domain", "8", "--kernel-size", "3", "--mode", "same", "--stride", "2"], "y = ↓2 (q * x)"),
        (["convolve", "--domain", "8", "--kernel-size", "3", "--dilation", "2"], "y = (↑2 q) * x"),
        (["convolve", "--domain", "8", "--kernel-size", "3", "--mode", "same", "--stride", "2", "--transpose"], "y = q * (↑2 x) = (↓2 (q̃ *))ᵀ x"),
        (["downsample", "--domain", "8", "--factor", "2"], "y = ↓2 x"),
        (["downsample", "--domain", "8", "--factor", "2", "--transpose"], "y = ↑2 x"),
        (["upsample-zeros", "--domain", "4", "--factor", "3"], "y = ↑3 x"),
        (["conv", "--domain", "2,8,8", "--kernel-size", "3", "--stride", "2", "--padding", "1"], "y = ↓2 (q * pad(1) x)"),
        (["conv", "--domain", "2,8", "--kernel-size", "3", "--padding", "1", "--padding-mode", "circular"], "y = q ⊛ x"),
        (["conv-transpose", "--domain", "2,4,4", "--kernel-size", "4", "--stride", "2", "--padding", "1"],
         "y = crop(1) (q * (↑2 x)) = (↓2 (q̃ * pad(1)))ᵀ x"),
        (["avg-pool", "--domain", "2,8,8", "--kernel-size", "2"], "y = ↓2 ((1 1)^⊗2 * x / 4)"),
        (["max-pool", "--domain", "2,8,8", "--kernel-size", "3", "--stride", "2", "--padding", "1"], "y = ↓2 (max[3×3] (pad₋∞(1) x))"),
        (["upsample", "--domain", "2,4,4", "--scale", "2"], "y = (1 1)^⊗2 * (↑2 x)"),
        (["upsample", "--domain", "2,4", "--scale", "2", "--mode", "linear"], "y = Λ₂ * (↑2 x)"),
    ])
    func theFirstLineIsTheReferenceNotation(arguments: [String], expected: String) throws {
        let out = try CLIRunner().expectSuccess(["explain"] + arguments)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == expected, "\(out)")
        #expect(out.contains("domain (") && out.contains("nnz ") && out.contains("transpose: y = ") && out.contains("form (batch 1): ")
                && out.contains("direct kernel: "), "\(out)")
    }

    /// A chain (`--then`): nearest up-sampling then a 3×3 conv is explained as the composition, and the rewriter's
    /// fusion into one transposed convolution is shown after rewriting.
    @Test func aChainShowsItsFactorsBeforeAndAfterRewriting() throws {
        let out = try CLIRunner().expectSuccess(["explain", "upsample", "--scale", "2", "--then", "conv --kernel-size 3 --padding 1",
                                                 "--domain", "2,8,8"])
        #expect(out.split(separator: "\n").first == "y = q * pad(1) ((1 1)^⊗2 * (↑2 x))", "\(out)")
        #expect(out.contains("domain (2, 8, 8) → codomain (2, 16, 16)") && out.contains("factors (application order): ")
                && out.contains("after rewriting: crop(1) (q * (↑2 ·))"), "\(out)")
    }

    /// A chain reads its arrays as a single op does: a max-pool stage without `--input` is linear at the zero sample
    /// (and has no transpose); X and W of different dtypes are refused, without apply's `--dtype` hint.
    @Test func aChainReadsItsArraysAsASingleOpDoes() throws {
        let cli = try CLIRunner()
        let out = try cli.expectSuccess(["explain", "upsample", "--scale", "2", "--then", "max-pool --kernel-size 2", "--domain", "1,4,4"])
        #expect(out.contains("domain (1, 4, 4) → codomain (1, 4, 4)") && out.contains("linear at the zero sample"), "\(out)")
        _ = try cli.expectFailure(["explain", "upsample", "--scale", "2", "--then", "max-pool --kernel-size 2", "--domain", "1,4,4",
                                   "--transpose"], containing: "not linear")
        try cli.write(Tensor<Float>(shape: Shape([2, 1, 3, 3]), repeating: 1), "w.npy")
        try cli.write(Tensor<Double>(shape: Shape([1, 4, 4]), repeating: 1), "x.npy")
        let error = try cli.expectFailure(["explain", "upsample", "--scale", "2", "--then", "conv --weight \(cli.path("w.npy"))",
                                           "--domain", "1,4,4", "--input", cli.path("x.npy")], containing: "float32")
        #expect(!error.contains("--dtype"), "\(error)")
    }

    @Test func jsonCarriesTheFields() throws {
        let cli = try CLIRunner()
        _ = try cli.expectSuccess(["explain", "conv", "--domain", "2,8,8", "--kernel-size", "3", "--stride", "2", "--padding", "1",
                                   "--batch", "4", "--json", cli.path("e.json")])
        let data = try Data(contentsOf: URL(fileURLWithPath: cli.path("e.json")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["notation"] as? String == "y = ↓2 (q * pad(1) x)")
        #expect(object["domain"] as? [Int] == [2, 8, 8] && object["codomain"] as? [Int] == [2, 4, 4])
        #expect(object["nnz"] as? Int == 2 * 2 * 121 && object["batch"] as? Int == 4)
        #expect(["direct", "dense", "sparse"].contains(object["form"] as? String ?? ""))
        #expect((object["direct_kernels"] as? [String])?.count == 1)
        #expect((object["rewrites"] as? [[String: Any]])?.first?["applied"] as? Bool == false, "the polyphase split, declined")
    }

    @Test func badInputFailsWithOneLine() throws {
        let cli = try CLIRunner()
        _ = try cli.expectFailure(["explain", "frobnicate", "--domain", "4"], containing: "unknown op")
        _ = try cli.expectFailure(["explain", "conv", "--domain", "2,8,8"], containing: "needs a kernel")
        _ = try cli.expectFailure(["explain", "conv", "--domain", "2,8,8", "--kernel-size", "3", "--batch", "0"], containing: "--batch")
        _ = try cli.expectFailure(["explain", "max-pool", "--domain", "2,8,8", "--kernel-size", "2", "--transpose"], containing: "not linear")
    }
}
