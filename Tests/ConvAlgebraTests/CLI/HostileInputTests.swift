import ConvAlgebra
import Foundation
import Testing

/// Issue 13's hostile command lines, and their variants: every numeric option negative, zero, huge (2⁶² and
/// 2⁶³ − 1), `nan`, `inf`; sizes over the memory budget; devices and directories as inputs. Each must print
/// exactly one `error:` line, exit non-zero without a signal, and leave no output file, under an address-space
/// limit of 4 GiB (`ulimit -v 4194304`) and a time limit. Before the fixes of issue 13, 25 of them crashed
/// (overflow traps, a `try!`, allocator aborts, a heap write out of bounds), hung or were accepted.
@Suite(.serialized) struct HostileInputTests {
    static let commandLines: [[String]] = [
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "100000"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "2147483647"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "9223372036854775807"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "9223372036854775807"],
        ["bench", "--suite", "v1", "--cases", "nonexistent"],
        ["bench", "--suite", "v1", "--cases", "mp2d", "--max-seconds", "nan"],
        ["bench", "--suite", "v1", "--cases", "mp2d", "--max-seconds", "-1"],
        ["bench", "--suite", "v1", "--cases", "mp2d", "--max-seconds", "0"],
        ["bench", "--suite", "v1", "--cases", "mp2d", "--max-seconds", "inf"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "10000000"],
        ["bench", "convolve", "--input-shape", "1,1500000000", "--weight-shape", "3"],
        ["analyze", "convolve", "--domain", "100000000", "--weight", "q.npy"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--stride", "9223372036854775807"],
        ["analyze", "downsample", "--domain", "4611686018427387904", "--factor", "2"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--padding", "9223372036854775807"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "9223372036854775807"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "9223372036854775807"],
        ["apply", "conv", "--input", "/dev/zero", "--output", "y.npy", "--weight", "w.npy"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "9223372036854775807"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "4611686018427387904"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "9223372036854775807"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--dilation", "9223372036854775807"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--dilation", "4611686018427387904"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--groups", "9223372036854775807"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--groups", "-9223372036854775808"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "-9223372036854775808"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "1000000", "--padding-mode", "circular"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "1000000", "--padding-mode", "reflect"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "100000", "--padding-mode", "replicate"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "20000"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "20000", "--form", "dense"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "20000", "--form", "sparse"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "nan"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "inf"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "1e3"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "0"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "-1"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--stride", "9223372036854775807"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--stride", "4611686018427387904"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--stride", "100000"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--dilation", "9223372036854775807"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--output-padding", "9223372036854775807", "--stride", "9223372036854775807"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--output-padding", "-1"],
        ["apply", "conv-transpose", "--input", "x.npy", "--output", "y.npy", "--weight", "wt.npy", "--groups", "0"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "9223372036854775807"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--dilation", "9223372036854775807"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--padding", "9223372036854775807"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "9223372036854775807", "--ceil-mode"],
        ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "9223372036854775807", "--form", "dense"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "9223372036854775807", "--padding", "4611686018427387903"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "4611686018427387904", "--padding", "2305843009213693952"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "9223372036854775807", "--ceil-mode"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "0"],
        ["apply", "avg-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "nan"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "9223372036854775807"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "4611686018427387904"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "100000", "--mode", "linear"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "100000", "--form", "sparse"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "100000", "--form", "dense"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "1.5"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "inf"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "0"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "2", "--transpose", "--domain", "2,9223372036854775807,2"],
        ["apply", "upsample", "--input", "x.npy", "--output", "y.npy", "--scale", "2", "--transpose", "--domain", "2,4611686018427387904,4"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "9223372036854775807"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "4611686018427387904"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "10000000", "--form", "sparse"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "10000000", "--form", "dense"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "2", "--phase", "9223372036854775807"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "2", "--phase", "2"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "2", "--phase", "-1"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "9223372036854775807", "--transpose", "--domain", "32"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "2", "--transpose", "--domain", "9223372036854775807"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--dilation", "9223372036854775807"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--dilation", "2305843009213693952"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--dilation", "100000000"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--dilation", "100000000", "--mode", "same"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--dilation", "10", "--mode", "valid"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--stride", "9223372036854775807", "--mode", "circular"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--transpose", "--domain", "9223372036854775807"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--transpose", "--domain", "4611686018427387904"],
        ["apply", "convolve", "--input", "s.npy", "--output", "y.npy", "--weight", "q.npy", "--mode", "bogus"],
        ["show", "convolve", "--domain", "9223372036854775807", "--kernel-size", "3"],
        ["show", "convolve", "--domain", "100000000", "--kernel-size", "3"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--max-size", "9223372036854775807"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--max-size", "-1"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--dilation", "9223372036854775807"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--dilation", "4611686018427387904", "--mode", "circular"],
        ["show", "max-pool", "--domain", "1,1000000000", "--kernel-size", "2"],
        ["show", "avg-pool", "--domain", "1,1000000000", "--kernel-size", "2"],
        ["show", "conv", "--domain", "1,100000000", "--weight", "w1.npy"],
        ["show", "upsample", "--domain", "1,4", "--scale", "100000000"],
        ["show", "upsample", "--domain", "1,4", "--scale", "100000000", "--mode", "linear"],
        ["show", "upsample-zeros", "--domain", "4", "--factor", "9223372036854775807"],
        ["analyze", "conv", "--domain", "2,100000,100000", "--weight", "w.npy"],
        ["analyze", "upsample", "--domain", "2,8,8", "--scale", "100000"],
        ["analyze", "upsample-zeros", "--domain", "4", "--factor", "9223372036854775807"],
        ["analyze", "convolve", "--domain", "9223372036854775807", "--weight", "q.npy"],
        ["analyze", "convolve", "--domain", "32", "--weight", "q.npy", "--tolerance", "nan"],
        ["analyze", "convolve", "--domain", "32", "--weight", "q.npy", "--tolerance", "-1"],
        ["analyze", "max-pool", "--domain", "2,8,8", "--kernel-size", "2"],
        ["bench", "convolve", "--input-shape", "9223372036854775807,2", "--weight-shape", "3"],
        ["bench", "convolve", "--input-shape", "4611686018427387904,2", "--weight-shape", "3"],
        ["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "9223372036854775807"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "-1"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--max-seconds", "1e400"],
        ["bench", "upsample", "--input-shape", "1,2,8,8", "--scale", "100000"],
        ["bench", "upsample-zeros", "--input-shape", "1,8", "--factor", "9223372036854775807"],
        ["bench", "--suite", "v1", "--forms", "nope"],
        ["bench", "--suite", "v2"],
        ["apply", "conv", "--input", "/dev/null", "--output", "y.npy", "--weight", "w.npy"],
        ["apply", "conv", "--input", "/proc/self/status", "--output", "y.npy", "--weight", "w.npy"],
        ["apply", "conv", "--input", "/dev/urandom", "--output", "y.npy", "--weight", "w.npy"],
        ["apply", "conv", "--input", ".", "--output", "y.npy", "--weight", "w.npy"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "0"],
        ["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "-9223372036854775808"],
        ["apply", "upsample-zeros", "--input", "s.npy", "--output", "y.npy", "--factor", "0"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "1000001"],
        // The issue's other two --repeats: 2⁶² never ended, 2⁶⁰ asked for 9.2 EB of timings.
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "4611686018427387904"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "1152921504606846976"],
        ["analyze", "convolve", "--domain", "4611686018427387904", "--weight", "q.npy"],
        ["analyze", "downsample", "--domain", "4611686018427387904", "--factor", "9223372036854775807"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "4611686018427387904"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--repeats", "0"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--max-seconds", "nan"],
        ["bench", "conv", "--input-shape", "1,3,8,8", "--weight-shape", "4,3,3,3", "--max-seconds", "-inf"],
        ["bench", "--suite", "v1", "--cases", "mp2d,nonexistent"],
        ["bench", "--suite", "v1", "--cases", ","],
        ["show", "convolve", "--domain", "4", "--kernel-size", "4097"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--max-size", "0"],
        // Found by `make fuzz` (FuzzOperators): the pooling window bounds were allocated unbudgeted (O(ΣL)).
        ["show", "upsample", "--domain", "4,288230376151711744,1", "--scale", "1"],
        ["show", "max-pool", "--domain", "1,4611686018427387904", "--kernel-size", "1"],
        ["analyze", "avg-pool", "--domain", "1,288230376151711744,1", "--kernel-size", "1"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "1K"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "0"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "-1"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "nan"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "99999999999999999999"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "9223372036854775807G"],
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--form", "dense", "--memory-budget", "64K"],
        ["show", "convolve", "--domain", "4", "--kernel-size", "3", "--memory-budget", "8"],
        ["analyze", "convolve", "--domain", "32", "--weight", "q.npy", "--memory-budget", "100"],
        ["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "5", "--memory-budget", "100"],
        ["apply", "avg-pool", "--input", "x5.npy", "--output", "y.npy", "--kernel-size", "2,1,1", "--padding", "1,0,0"],
        ["apply", "avg-pool", "--input", "x5.npy", "--output", "y.npy", "--kernel-size", "2,1,1", "--padding", "1,0,0", "--form", "dense"],
    ] + composedIntermediates

    /// The fuzz-found layer through the CLI: a replicate padding by 2⁴⁰ before a stride of 2⁴¹ has 2 × 6 outputs per
    /// channel but a padded intermediate of ~2⁴⁴ samples, refused by the budget in every form and direction (pricing
    /// the rewrites used to walk the stride's 2⁴¹ phases first, for minutes at full CPU).
    static let composedIntermediates: [[String]] = ["direct", "dense", "sparse"].flatMap { form in
        let layer = ["--weight", "w.npy", "--padding", "1099511627776,0", "--padding-mode", "replicate",
                     "--stride", "2199023255552,1", "--form", form]
        return [["apply", "conv", "--input", "x.npy", "--output", "y.npy"] + layer,
                ["apply", "conv", "--input", "y426.npy", "--output", "y.npy", "--transpose", "--domain", "2,8,8"] + layer]
    }

    @Test(arguments: commandLines)
    func failsCleanlyUnderAnAddressSpaceLimit(_ arguments: [String]) throws {
        let cli = try CLIRunner()
        try cli.writeHostileFixtures()
        try cli.expectLimitedFailure(arguments)
    }

    /// Huge values that have a sound answer are not errors: ↓k with k = 2⁶³ − 1 keeps sample 0 (`x[::k]`),
    /// and so does a ceil-mode pool whose stride jumps past the input.
    @Test(arguments: [
        (["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "9223372036854775807"], [4, 1]),
        (["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "9223372036854775807", "--form", "dense"], [4, 1]),
        (["apply", "downsample", "--input", "s.npy", "--output", "y.npy", "--factor", "9223372036854775807", "--form", "sparse"], [4, 1]),
        (["apply", "max-pool", "--input", "x.npy", "--output", "y.npy", "--kernel-size", "2", "--stride", "4611686018427387904", "--ceil-mode"], [2, 2, 1, 1]),
    ])
    func hugeValuesWithAnAnswerSucceed(_ arguments: [String], _ shape: [Int]) throws {
        let cli = try CLIRunner()
        try cli.writeHostileFixtures()
        let (r, timedOut, signal) = try cli.runLimited(arguments)
        #expect(!timedOut && signal == nil && r.status == 0, "\(arguments): \(r.stderr)")
        let y = try cli.read("y.npy")
        guard case .float32(let t) = y else { Issue.record("dtype changed"); return }
        #expect(t.shape.dims == shape)
    }

    /// Found by `make fuzz` (FuzzOperators): a 2-D stride of 2⁶² multiplied the strides unchecked in the
    /// transposed kernels' route (`IndirectConvolutionKernels.applies`) and in `analyze`'s aliasing reading and
    /// overlap pattern (one `Set` per phase: 2¹²⁴ of them). These have answers and must give them.
    @Test(arguments: [
        ["apply", "conv-transpose", "--input", "x11.npy", "--output", "y.npy", "--weight", "wt.npy", "--stride", "4611686018427387904"],
        ["apply", "conv", "--input", "y411.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "4611686018427387904",
         "--transpose", "--domain", "2,8,8"],
        ["apply", "conv", "--input", "y411.npy", "--output", "y.npy", "--weight", "w.npy", "--stride", "4611686018427387904",
         "--transpose", "--domain", "2,8,8", "--form", "sparse"],
        ["analyze", "conv-transpose", "--domain", "2,1,1", "--weight", "wt.npy", "--stride", "4611686018427387904"],
        ["analyze", "conv-transpose", "--domain", "2,1,1", "--weight", "wt.npy", "--stride", "1000000"],
        ["analyze", "conv", "--domain", "2,8,8", "--weight", "w.npy", "--stride", "4611686018427387904"],
        // A stride of 2⁶² after a replicate padding: pricing the polyphase split scanned all 2⁶² phases (it never ended).
        ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "1", "--padding-mode",
         "replicate", "--stride", "4611686018427387904"],
        ["apply", "conv", "--input", "y411.npy", "--output", "y.npy", "--weight", "w.npy", "--padding", "1", "--padding-mode",
         "replicate", "--stride", "4611686018427387904", "--transpose", "--domain", "2,8,8"],
    ])
    func hugeStridesWithAnAnswerSucceed(_ arguments: [String]) throws {
        let cli = try CLIRunner()
        try cli.writeHostileFixtures()
        let (r, timedOut, signal) = try cli.runLimited(arguments)
        #expect(!timedOut && signal == nil && r.status == 0 && r.stderr.isEmpty, "\(arguments): \(r.stderr.prefix(300))")
    }

    /// `--memory-budget` lowers the budget but a command within it still runs.
    @Test func aSufficientMemoryBudgetIsAccepted() throws {
        let cli = try CLIRunner()
        try cli.writeHostileFixtures()
        try cli.expectSuccess(["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy", "--memory-budget", "16M"])
        #expect(cli.expectLimitedFailureMessage(["apply", "conv", "--input", "x.npy", "--output", "z.npy", "--weight", "w.npy",
                                                 "--memory-budget", "1K"])?.contains("memory budget of 1024 bytes") == true)
    }

    /// A refused form's error names the forms that fit, through the CLI: conv (2,8,8) → (4,6,6) in float32 has a
    /// dense 144 × 128 matrix of 73,728 bytes, over 64 KiB, while its output (2 samples of 144 floats, 1,152 bytes) and its
    /// 2,592-term CSR matrix (41,472 bytes) fit; under 4 KiB only the direct form does. The fuzz-found layer, refused in
    /// the direct form, says that no form fits (it used to advise "use the direct or sparse form").
    @Test func aRefusedFormNamesTheFormsThatFit() throws {
        let cli = try CLIRunner()
        try cli.writeHostileFixtures()
        let conv = ["apply", "conv", "--input", "x.npy", "--output", "y.npy", "--weight", "w.npy"]
        var m = cli.expectLimitedFailureMessage(conv + ["--form", "dense", "--memory-budget", "64K"])
        #expect(m?.contains("(the direct and sparse forms fit: 1152 and 41472 bytes) needs 73728 bytes") == true, "\(m ?? "")")
        m = cli.expectLimitedFailureMessage(conv + ["--form", "sparse", "--memory-budget", "4K"])
        #expect(m?.contains("(the direct form fits: 1152 bytes) needs 41472 bytes") == true, "\(m ?? "")")
        m = cli.expectLimitedFailureMessage(Self.composedIntermediates[0])
        #expect(m?.contains("intermediate results of the direct form (no other form is known to fit: dense needs at least") == true,
                "\(m ?? "")")
        #expect(m?.contains("use the") == false, "\(m ?? "")")
    }

    /// Issue 13's max-pool case through the CLI: `x = [[[1.5]]]`, kernel 2, padding 1, dilation 2 pools an empty
    /// window, `−∞` in every form (PyTorch's `max_pool1d` answer).
    @Test(arguments: ["direct", "dense", "sparse"])
    func anEmptyMaxPoolWindowIsMinusInfinityThroughTheCLI(_ form: String) throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Float>(shape: [1, 1, 1], scalars: [1.5]), "one.npy")
        try cli.expectSuccess(["apply", "max-pool", "--input", "one.npy", "--output", "y.npy", "--kernel-size", "2",
                               "--padding", "1", "--dilation", "2", "--form", form])
        guard case .float32(let y) = try cli.read("y.npy") else { Issue.record("dtype changed"); return }
        #expect(y.shape.dims == [1, 1, 1] && y.scalars == [-.infinity], "\(y.shape) \(y.scalars)")
    }

    /// The library, not only the CLI: sizes are computed without overflow.
    @Test func downsampleByTheLargestFactorKeepsOneSample() throws {
        let d = try Downsample<Float>(factor: .max, inputLength: 32)
        #expect(d.codomain.dims == [1])
        #expect(d.transposed.domain.dims == [1])
        let u = try Upsample<Float>(factor: .max, phase: 0, outputLength: 32)
        #expect(u.inputLength == 1)
        let c = try Convolution<Float>(kernel: [1, 2, 3], inputLength: 8, mode: .full, stride: .max - 8)
        #expect(c.codomain.dims == [1])
    }

    /// A pipe or device is read header first: `/dev/zero` fails on its first bytes instead of filling memory.
    @Test func aDeviceIsRejectedByItsFirstBytes() throws {
        #expect(throws: ConvAlgebraError.self) { try NPY.read(path: "/dev/zero", budget: MemoryBudget(bytes: 1 << 20)) }
    }
}
