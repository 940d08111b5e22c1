import ConvAlgebra
import Foundation
import Testing

/// The options the command line held, by their contract spellings: an op refuses each one it does not read,
/// naming them all, flags and `--no-` inversions included; an option left out is not "given".
@Suite struct GivenOptionsTests {
    @Test(arguments: [
        (["--groups", "2"], "--groups does not apply to convolve"),
        (["--padding-mode", "zeros"], "--padding-mode does not apply to convolve"),
        (["--output-padding", "1"], "--output-padding does not apply to convolve"),
        (["--ceil-mode"], "--ceil-mode does not apply to convolve"),
        (["--no-count-include-pad"], "--count-include-pad does not apply to convolve"),
        (["--factor", "2", "--phase", "1"], "--factor, --phase do not apply to convolve"),
        (["--scale", "2", "--bias", "b.npy"], "--scale, --bias do not apply to convolve"),
    ])
    func everyGivenOptionTheOpDoesNotReadIsNamed(extra: [String], message: String) throws {
        let text = try CLIRunner().expectFailure(["show", "convolve", "--domain", "4", "--kernel-size", "2"] + extra)
        #expect(text.hasPrefix(message), "\(text)")
        #expect(text.contains("(it takes --dilation, --kernel-size, --mode, --stride, --weight)"), "\(text)")
    }

    /// A flag left at its default and options left out do not count: `downsample` reads only its two.
    @Test func optionsLeftOutAreNotGiven() throws {
        try CLIRunner().expectSuccess(["show", "downsample", "--domain", "4", "--factor", "2"])
        let text = try CLIRunner().expectFailure(["show", "upsample-zeros", "--domain", "4", "--factor", "2", "--phase", "0"])
        #expect(text.hasPrefix("--phase does not apply to upsample-zeros (it takes --factor)"))
    }

    /// The suite form of `bench` takes no op options: any one given is refused.
    @Test func benchSuiteRefusesAnyGivenOption() throws {
        try CLIRunner().expectFailure(["bench", "--suite", "v1", "--ceil-mode"], containing: "the suite form takes no op options")
    }
}
