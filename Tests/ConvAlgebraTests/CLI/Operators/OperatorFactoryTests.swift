import ConvAlgebra
import Foundation
import Testing

/// The table of ops: every op of the contract is known by its contract name, `--help` lists them, and an
/// unknown name is refused first, listing the known ones.
@Suite struct OperatorFactoryTests {
    static let contractOps = ["convolve", "downsample", "upsample-zeros", "conv", "conv-transpose", "max-pool", "avg-pool", "upsample"]

    @Test func helpListsEveryContractOp() throws {
        let help = try CLIRunner().expectSuccess(["apply", "--help"])
        for op in Self.contractOps { #expect(help.contains(op), "\(op) missing from help") }
    }

    @Test(arguments: ["apply", "show", "analyze", "export", "bench"])
    func unknownOpsAreRefusedBeforeMissingArguments(subcommand: String) throws {
        let text = try CLIRunner().expectFailure([subcommand, "frobnicate"])
        #expect(text == "unknown op 'frobnicate' (known: \(Self.contractOps.joined(separator: ", ")))", "\(text)")
    }

    /// Each op name reaches its own definition: its option list is the one the contract gives it.
    @Test(arguments: [
        ("downsample", "--factor, --phase"),
        ("upsample-zeros", "--factor"),
        ("upsample", "--mode, --scale, --size"),
        ("avg-pool", "--ceil-mode, --count-include-pad, --kernel-size, --padding, --stride"),
        ("max-pool", "--ceil-mode, --dilation, --kernel-size, --padding, --stride"),
        ("conv", "--bias, --dilation, --groups, --kernel-size, --padding, --padding-mode, --stride, --weight"),
        ("conv-transpose", "--bias, --dilation, --groups, --kernel-size, --output-padding, --padding, --stride, --weight"),
    ])
    func eachNameReachesItsDefinition(op: String, takes: String) throws {
        let text = try CLIRunner().expectFailure(["show", op, "--domain", "1,4", "--output-padding", "1", "--factor", "1"])
        #expect(text.hasSuffix("(it takes \(takes))"), "\(text)")
    }
}
