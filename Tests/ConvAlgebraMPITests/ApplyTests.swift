import ConvAlgebra
import Foundation
import Testing

/// `convalgebra-mpi apply` against `convalgebra apply --form sparse` (the single-process CSR path) on every op
/// family, forward and transpose, at 1 and 2 processes: equal to 1e-10 relative in float64.
@Suite(.serialized) struct MPIApplyTests {
    /// One op: its options, the weight/bias shapes it reads, and one batch's shape.
    struct Case: CustomStringConvertible, Sendable {
        var op: String
        var options: [String]
        var input: [Int]
        var weight: [Int]? = nil
        var bias: [Int]? = nil
        /// The forward domain for `--transpose`, nil when the case is not run transposed.
        var domain: [Int]? = nil
        var description: String { "\(op) \(options.joined(separator: " "))" }
    }

    static let cases: [Case] = [
        Case(op: "conv", options: ["--padding", "1", "--stride", "2,1"], input: [3, 2, 7, 6], weight: [4, 2, 3, 3], bias: [4]),
        Case(op: "conv", options: ["--padding", "1", "--groups", "2"], input: [2, 4, 5, 5], weight: [4, 2, 3, 3], domain: [4, 5, 5]),
        Case(op: "conv", options: ["--dilation", "2"], input: [2, 2, 9], weight: [3, 2, 3], domain: [2, 9]),
        Case(op: "conv", options: ["--padding", "1"], input: [1, 1, 4, 4, 5], weight: [2, 1, 3, 3, 3], domain: [1, 4, 4, 5]),
        Case(op: "conv-transpose", options: ["--stride", "2", "--padding", "1", "--output-padding", "1"], input: [2, 3, 4, 5],
             weight: [3, 2, 3, 3], domain: [3, 4, 5]),
        Case(op: "avg-pool", options: ["--kernel-size", "3", "--stride", "2", "--padding", "1"], input: [2, 3, 7, 8], domain: [3, 7, 8]),
        Case(op: "upsample", options: ["--scale", "2", "--mode", "bilinear"], input: [2, 2, 3, 4], domain: [2, 3, 4]),
        Case(op: "upsample", options: ["--scale", "3"], input: [2, 2, 5], domain: [2, 5]),
        Case(op: "convolve", options: ["--mode", "same"], input: [3, 17], weight: [5], domain: [17]),
        Case(op: "convolve", options: ["--mode", "circular", "--stride", "2"], input: [2, 12], weight: [4], domain: [12]),
        Case(op: "downsample", options: ["--factor", "3", "--phase", "1"], input: [4, 20], domain: [20]),
        Case(op: "upsample-zeros", options: ["--factor", "2"], input: [3, 9], domain: [9]),
    ]

    private func arrays(_ c: Case, _ r: MPIRunner, seed: UInt64) throws -> [String] {
        var options = c.options
        if let w = c.weight { try r.random("w.npy", w, seed: seed + 1); options += ["--weight", "w.npy"] }
        if let b = c.bias { try r.random("b.npy", b, seed: seed + 2); options += ["--bias", "b.npy"] }
        return options
    }

    @Test(arguments: cases, [1, 2])
    func forwardEqualsTheSingleProcessPath(c: Case, processes: Int) throws {
        let r = try MPIRunner()
        try r.random("x.npy", c.input, seed: 7)
        let options = try arrays(c, r, seed: 7)
        r.succeed(try r.single(["apply", c.op, "--input", "x.npy", "--output", "ref.npy", "--form", "sparse"] + options), "convalgebra apply")
        r.succeed(try r.mpi(processes, ["apply", c.op, "--input", "x.npy", "--output", "y.npy", "--chunk", "2",
                                        "--timings", "t.json"] + options), "convalgebra-mpi apply")
        #expect(try relativeDifference(r.read("y.npy"), r.read("ref.npy")) <= 1e-10, "\(c)")
        // Each process held its rows only, and together exactly the rows and entries of the matrix.
        let t = try r.json("t.json")
        let rows = try #require(t["rows_per_rank"] as? [Int]), m = try #require(t["rows"] as? Int)
        #expect(rows.count == processes && rows.reduce(0, +) == m && rows.allSatisfy { $0 <= (m + processes - 1) / processes })
    }

    @Test(arguments: cases.filter { $0.domain != nil && $0.bias == nil }, [1, 2])
    func transposeEqualsTheSingleProcessPath(c: Case, processes: Int) throws {
        let r = try MPIRunner()
        // The transpose's input has the forward output shape: make it with the forward op first.
        try r.random("x.npy", c.input, seed: 11)
        let options = try arrays(c, r, seed: 11)
        r.succeed(try r.single(["apply", c.op, "--input", "x.npy", "--output", "fx.npy"] + options), "forward")
        let shape = try r.read("fx.npy").shape.dims
        try r.random("y.npy", shape, seed: 12)
        let domain = c.domain!.map(String.init).joined(separator: ",")
        r.succeed(try r.single(["apply", c.op, "--transpose", "--domain", domain, "--input", "y.npy", "--output", "ref.npy",
                                "--form", "sparse"] + options), "convalgebra apply --transpose")
        r.succeed(try r.mpi(processes, ["apply", c.op, "--transpose", "--domain", domain, "--input", "y.npy", "--output", "z.npy"]
                            + options), "convalgebra-mpi apply --transpose")
        #expect(try relativeDifference(r.read("z.npy"), r.read("ref.npy")) <= 1e-10, "\(c)")
    }

    /// float32 files: computed in float64, written as float32 (each value within float32 rounding of the reference).
    @Test func float32KeepsItsDtype() throws {
        let r = try MPIRunner()
        try r.random("x.npy", [2, 1, 6, 6], seed: 3, as: Float.self)
        try r.random("w.npy", [2, 1, 3, 3], seed: 4, as: Float.self)
        let options = ["--padding", "1", "--weight", "w.npy"]
        r.succeed(try r.single(["apply", "conv", "--input", "x.npy", "--output", "ref.npy", "--form", "sparse"] + options), "convalgebra")
        r.succeed(try r.mpi(2, ["apply", "conv", "--input", "x.npy", "--output", "y.npy"] + options), "convalgebra-mpi")
        #expect(try r.read("y.npy").dtypeName == "float32")
        #expect(try relativeDifference(r.read("y.npy"), r.read("ref.npy")) <= 1e-5)
    }
}
