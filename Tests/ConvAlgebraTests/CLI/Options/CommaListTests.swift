import ConvAlgebra
import Foundation
import Testing

/// The CLI's comma lists, read through `show` (one spelling against another that must mean the same matrix)
/// and through their one-line errors.
@Suite struct CommaListTests {
    static func show(_ arguments: [String]) throws -> String {
        try CLIRunner().expectSuccess(["show"] + arguments)
    }

    /// One value means every dimension; blanks around entries are allowed; `same` is case-insensitive.
    @Test func equivalentSpellingsGiveTheSameMatrix() throws {
        let base = ["conv", "--domain", "1,5,5", "--kernel-size", "3"]
        #expect(try Self.show(base + ["--stride", "2"]) == Self.show(base + ["--stride", "2,2"]))
        #expect(try Self.show(base + ["--stride", " 2 , 2 "]) == Self.show(base + ["--stride", "2,2"]))
        #expect(try Self.show(base + ["--padding", "1"]) == Self.show(base + ["--padding", "1,1,1,1"]))
        #expect(try Self.show(base + ["--padding", "SAME"]) == Self.show(base + ["--padding", "same"]))
        #expect(try Self.show(base + ["--padding", "same"]) == Self.show(base + ["--padding", "1"]))
        #expect(try Self.show(["avg-pool", "--domain", "1,4,4", "--kernel-size", "2"])
                == Self.show(["avg-pool", "--domain", "1, 4, 4", "--kernel-size", "2,2"]))
    }

    /// `--padding a,b` on a 1-D conv is begin a, end b: `(4 + 1 + 2) − 2 + 1 = 6` outputs, and the first row
    /// sees one padded zero (its first tap is 0).
    @Test func twoPaddingValuesInOneDimensionAreBeginAndEnd() throws {
        let rows = ShowTests.cells(try Self.show(["conv", "--domain", "1,4", "--kernel-size", "2", "--padding", "1,2"]))
        #expect(rows.count == 6)
        #expect(rows[0] == ["q[0,0,1]", "0", "0", "0"])
        #expect(rows[5].allSatisfy { $0 == "0" })
    }

    @Test(arguments: [
        (["--stride", "2,"], "--stride '2,': '' is not an integer"),
        (["--stride", "a"], "'a' is not an integer"),
        (["--stride", ""], "--stride needs a value"),
        (["--stride", "2,2,2"], "stride needs one value or one per spatial dimension (2), got 3"),
        (["--padding", "1,2,3"], "--padding has 3 values, but 2 spatial dimensions need 1, 2 or 4"),
        (["--padding", "-1"], "negative padding -1"),
        (["--padding-mode", "mirror"], "unknown padding mode 'mirror' for conv (known: zeros, circular, reflect, replicate)"),
    ])
    func malformedListsAreOneLineErrors(extra: [String], fragment: String) throws {
        try CLIRunner().expectFailure(["show", "conv", "--domain", "1,5,5", "--kernel-size", "3"] + extra, containing: fragment)
    }

    @Test func domainsMustBeNonNegativeIntegers() throws {
        let cli = try CLIRunner()
        try cli.expectFailure(["show", "downsample", "--factor", "2", "--domain", "3,-1"], containing: "--domain '3,-1': negative extent -1")
        try cli.expectFailure(["show", "downsample", "--factor", "2", "--domain", "x"], containing: "is not an integer")
    }

    /// The pools read per-dimension lists themselves: 1 or exactly `rank` values.
    @Test func poolListsNeedOneValueOrOnePerDimension() throws {
        try CLIRunner().expectFailure(["show", "avg-pool", "--domain", "1,4,4", "--kernel-size", "2,2,2"],
                                      containing: "--kernel-size '2,2,2' has 3 values, but there are 2 spatial dimensions (give 1 or 2)")
        try CLIRunner().expectFailure(["show", "avg-pool", "--domain", "1,4,4", "--kernel-size", "2", "--padding", "same"],
                                      containing: "avg-pool takes a symmetric --padding")
    }
}
