import ConvAlgebra
import Foundation
import Testing

/// `convalgebra apply upsample` with PyTorch's spellings: `--size` (F.interpolate's size, against the PyTorch
/// fixtures of `scripts/make_torch_fixtures_resize.py`), `--scale-factor` (the same option as `--scale`), and
/// `--mode bilinear|trilinear` (checked against the number of spatial dimensions, as PyTorch checks them).
@Suite struct UpsampleOpTests {
    static let cases = TorchResizeFixtureTests.cases.filter { $0.dtype == "float64" }

    @Test(arguments: cases)
    func sizeMatchesPyTorchForwardAndTranspose(_ c: TorchResizeFixtureTests.Case) throws {
        let cli = try CLIRunner()
        let dir = try #require(TorchResizeFixtureTests.directory)
        func file(_ role: String) throws -> String { dir.appendingPathComponent(try #require(c.files[role])).path }
        let size = c.size.map(String.init).joined(separator: ",")
        let op = ["upsample", "--size", size, "--mode", c.torch_mode]
        let y = try NPY.read(path: try file("y")).tensor(of: Double.self)
        let dx = try NPY.read(path: try file("dx")).tensor(of: Double.self)
        let x = try NPY.read(path: try file("x")).tensor(of: Double.self)
        let domain = x.shape.dims.dropFirst().map(String.init).joined(separator: ",")
        for form in ["direct", "sparse"] {
            try cli.expectSuccess(["apply"] + op + ["--form", form, "--input", try file("x"), "--output", "y.npy"])
            let out = try cli.read("y.npy").tensor(of: Double.self)
            #expect(out.shape == y.shape && zip(out.scalars, y.scalars).allSatisfy { abs($0 - $1) <= 1e-13 }, "\(c.id) \(form)")
            try cli.expectSuccess(["apply"] + op + ["--form", form, "--transpose", "--domain", domain,
                                                    "--input", try file("dy"), "--output", "dx.npy"])
            let back = try cli.read("dx.npy").tensor(of: Double.self)
            #expect(back.shape == dx.shape && zip(back.scalars, dx.scalars).allSatisfy { abs($0 - $1) <= 1e-13 }, "\(c.id) \(form) transpose")
        }
    }

    @Test func scaleFactorIsScaleAndBilinearIsLinear() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 3, 4, 5], seed: 3, as: Float.self), "x.npy")
        try cli.expectSuccess(["apply", "upsample", "--scale", "2", "--mode", "linear", "--input", "x.npy", "--output", "a.npy"])
        try cli.expectSuccess(["apply", "upsample", "--scale-factor", "2", "--mode", "bilinear", "--input", "x.npy", "--output", "b.npy"])
        try cli.expectSuccess(["apply", "upsample", "--size", "8,10", "--mode", "bilinear", "--input", "x.npy", "--output", "c.npy"])
        let a = try cli.read("a.npy"), b = try cli.read("b.npy"), c = try cli.read("c.npy")
        #expect(a.shape.dims == [2, 3, 8, 10] && a == b && a == c)
    }

    @Test func badCombinationsAreOneErrorLine() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([1, 2, 6], seed: 4, as: Double.self), "x.npy")
        func fails(_ options: [String], _ fragment: String) throws {
            try cli.expectFailure(["apply", "upsample"] + options + ["--input", "x.npy", "--output", "y.npy"], output: "y.npy",
                                  containing: fragment)
        }
        try fails(["--scale", "2", "--size", "12"], "not both")
        try fails(["--scale-factor", "2", "--size", "12"], "not both")
        try fails([], "--size")
        try fails(["--size", "0"], "--size must be a positive integer")
        try fails(["--size", "4,4"], "--size")
        try fails(["--scale", "2", "--mode", "bilinear"], "mode 'bilinear' needs 2 spatial dimensions")
        try fails(["--size", "9", "--mode", "trilinear"], "mode 'trilinear' needs 3 spatial dimensions")
        try fails(["--size", "9", "--mode", "bicubic"], "bicubic")
    }
}
