import ConvAlgebra
import Foundation
import Testing

/// Every op option of the contract, under its contract spelling, is accepted by the ops that read it and
/// changes what they build; numeric options take negative values as values, so the op's own check answers.
@Suite struct OperatorOptionsTests {
    /// Each option spelled as CLI.md spells it, on an op that reads it (show succeeds).
    @Test(arguments: [
        ["conv", "--domain", "2,5", "--kernel-size", "3", "--stride", "2", "--padding", "1", "--dilation", "1", "--groups", "2", "--padding-mode", "circular"],
        ["conv-transpose", "--domain", "2,3", "--kernel-size", "2", "--stride", "2", "--output-padding", "1"],
        ["avg-pool", "--domain", "1,5", "--kernel-size", "2", "--ceil-mode", "--count-include-pad"],
        ["avg-pool", "--domain", "1,5", "--kernel-size", "2", "--no-count-include-pad"],
        ["upsample", "--domain", "1,3", "--scale", "2", "--mode", "linear"],
        ["convolve", "--domain", "5", "--kernel-size", "2", "--mode", "valid"],
        ["downsample", "--domain", "5", "--factor", "2", "--phase", "1"],
    ])
    func everyContractOptionIsAccepted(arguments: [String]) throws {
        #expect(!(try CLIRunner().expectSuccess(["show"] + arguments)).isEmpty)
    }

    /// Average pooling of 3 inputs, kernel 2, padding 1: the first window holds one input and one padded zero,
    /// so counting the padding gives weight 1/2, not counting it 1.
    @Test func countIncludePadChangesTheBorderWeights() throws {
        let base = ["show", "avg-pool", "--domain", "1,3", "--kernel-size", "2", "--padding", "1", "--no-header"]
        let cli = try CLIRunner()
        let counted = try cli.expectSuccess(base).split(separator: "\n").map { $0.split(separator: " ") }
        let notCounted = try cli.expectSuccess(base + ["--no-count-include-pad"]).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(counted.first == ["0.5", "0", "0"])
        #expect(notCounted.first == ["1", "0", "0"])
        #expect(try cli.expectSuccess(base + ["--count-include-pad"]).split(separator: "\n").map { $0.split(separator: " ") } == counted)
    }

    /// `--ceil-mode` adds the last, partial window: 5 inputs, kernel 2 give 2 outputs in floor mode, 3 in ceil mode.
    @Test func ceilModeAddsThePartialWindow() throws {
        let cli = try CLIRunner()
        let base = ["show", "avg-pool", "--domain", "1,5", "--kernel-size", "2", "--no-header"]
        #expect(try cli.expectSuccess(base).split(separator: "\n").count == 2)
        #expect(try cli.expectSuccess(base + ["--ceil-mode"]).split(separator: "\n").count == 3)
    }

    @Test(arguments: [
        (["show", "downsample", "--domain", "5", "--factor", "-2"], "--factor must be at least 1, got -2"),
        (["show", "conv", "--domain", "2,5", "--kernel-size", "3", "--groups", "-1"], "groups -1 must be positive"),
        (["show", "conv", "--domain", "1,5", "--kernel-size", "3", "--stride", "-1"], "stride"),
    ])
    func negativeNumbersReachTheOpsCheck(arguments: [String], fragment: String) throws {
        try CLIRunner().expectFailure(arguments, containing: fragment)
    }
}
