import ConvAlgebra
import Foundation
import Testing

/// `convalgebra random` through the binary: the shape and dtype asked for, numbers in [−1, 1) from the seeded
/// SplitMix64 stream (so a seed gives the same file everywhere), and one `error:` line for bad arguments.
@Suite struct RandomTests {
    @Test func writesTheSeededStreamInTheShapeAskedFor() throws {
        let cli = try CLIRunner()
        try cli.expectSuccess(["random", "--shape", "2,3,4", "--seed", "7", "--output", "a.npy"])
        let a = try cli.read("a.npy").tensor(of: Float.self)
        #expect(a.shape.dims == [2, 3, 4])
        var generator = SplitMix64(seed: 7)
        #expect(a.scalars == generator.uniform(24, as: Float.self))
        #expect(a.scalars.allSatisfy { $0 >= -1 && $0 < 1 } && Set(a.scalars).count > 20)
    }

    @Test func seedsAndDtypes() throws {
        let cli = try CLIRunner()
        for (name, seed) in [("b.npy", "7"), ("c.npy", "7"), ("d.npy", "8")] {
            try cli.expectSuccess(["random", "--shape", "5", "--seed", seed, "--dtype", "float64", "--output", name])
        }
        #expect(try cli.read("b.npy").dtypeName == "float64")
        #expect(try cli.read("b.npy") == cli.read("c.npy"))
        #expect(try cli.read("b.npy") != cli.read("d.npy"))
    }

    @Test(arguments: [
        (["random", "--shape", "2,x", "--output", "e.npy"], "not an integer"),
        (["random", "--shape", "2,-3", "--output", "e.npy"], "negative"),
        (["random", "--shape", "4", "--dtype", "float16", "--output", "e.npy"], "unknown dtype"),
        (["random", "--shape", "1000000,1000000,1000", "--output", "e.npy"], "budget"),
        (["random", "--shape", "4", "--seed", "-1", "--output", "e.npy"], "-1"),
    ])
    func badArgumentsGiveOneErrorLine(_ arguments: [String], _ fragment: String) throws {
        try CLIRunner().expectFailure(arguments, output: "e.npy", containing: fragment)
    }
}
