import ConvAlgebra
import Foundation
import Testing

/// `convalgebra-mpi analyze` (SLEPc, cyclic shift-and-invert, MUMPS) against `convalgebra analyze --method gesdd`
/// (LAPACK on the dense matrix) at 1 and 2 processes: the k largest and k smallest singular values to 1e-10
/// relative to σ_max, square and rectangular operators, forward and transposed; the bound the largest are shifted
/// to is never below σ₁.
@Suite(.serialized) struct MPIAnalyzeTests {
    struct Case: CustomStringConvertible, Sendable {
        var op: String
        var options: [String]
        var domain: String
        var weight: [Int]? = nil
        var description: String { "\(op) \(options.joined(separator: " ")) on \(domain)" }
    }

    static let cases: [Case] = [
        Case(op: "conv", options: ["--padding", "1"], domain: "1,12,12", weight: [1, 1, 3, 3]),
        Case(op: "conv", options: ["--padding", "1"], domain: "2,6,6", weight: [2, 2, 3, 3]),
        Case(op: "convolve", options: ["--mode", "same"], domain: "80", weight: [7]),
        Case(op: "conv", options: ["--stride", "2"], domain: "2,9,9", weight: [3, 2, 3, 3]),
        Case(op: "conv-transpose", options: ["--stride", "2"], domain: "2,4,5", weight: [2, 1, 3, 3]),
        Case(op: "avg-pool", options: ["--kernel-size", "3", "--stride", "2"], domain: "2,9,8"),
    ]

    /// The reference's singular values, descending.
    private func reference(_ c: Case, _ r: MPIRunner, _ options: [String]) throws -> [Double] {
        r.succeed(try r.single(["analyze", c.op, "--domain", c.domain, "--method", "gesdd", "--json", "ref.json"] + options), "convalgebra analyze")
        return try #require(r.json("ref.json")["singular_values"] as? [Double]).sorted(by: >)
    }

    @Test(arguments: cases, [1, 2])
    func extremeValuesEqualLAPACK(c: Case, processes: Int) throws {
        let r = try MPIRunner()
        var options = c.options
        if let w = c.weight { try r.random("w.npy", w, seed: 5); options += ["--weight", "w.npy"] }
        let all = try reference(c, r, options)
        let k = min(3, all.count)
        for transpose in [false, true] {
            r.succeed(try r.mpi(processes, ["analyze", c.op, "--domain", c.domain, "--largest", "\(k)", "--smallest", "\(k)",
                                            "--json", "out.json"] + options + (transpose ? ["--transpose"] : [])), "convalgebra-mpi analyze")
            let out = try r.json("out.json")
            let largest = try #require(out["largest"] as? [Double]), smallest = try #require(out["smallest"] as? [Double])
            #expect(out["ranks"] as? Int == processes && out["converged"] as? Int == 2 * k)
            let scale = all[0]
            // The shift for the largest: a rigorous bound (the symbol's for a conv, row and column sums otherwise).
            let bound = try #require(out["spectral_norm_upper_bound"] as? Double)
            #expect(bound >= scale * (1 - 1e-13), "\(c) transpose \(transpose): bound \(bound) below σ₁ \(scale)")
            #expect(["symbol", "row and column sums"].contains(out["bound"] as? String ?? ""))
            #expect(largest.count == k && zip(largest, all.prefix(k)).allSatisfy { abs($0 - $1) <= 1e-10 * scale },
                    "\(c) transpose \(transpose): \(largest) vs \(Array(all.prefix(k)))")
            let bottom = Array(all.suffix(k).reversed())
            #expect(smallest.count == k && zip(smallest, bottom).allSatisfy { abs($0 - $1) <= 1e-10 * scale },
                    "\(c) transpose \(transpose): \(smallest) vs \(bottom)")
            if let condition = out["condition_number"] as? Double, bottom[0] > 1e-8 * scale {
                #expect(abs(condition - all[0] / bottom[0]) <= 1e-8 * condition)
            }
        }
    }

    /// `--all`: every singular value by ScaLAPACK.
    @Test(arguments: [1, 2])
    func allValuesByScaLAPACK(processes: Int) throws {
        let r = try MPIRunner()
        let c = Self.cases[1]
        try r.random("w.npy", c.weight!, seed: 5)
        let options = c.options + ["--weight", "w.npy"]
        let all = try reference(c, r, options)
        r.succeed(try r.mpi(processes, ["analyze", c.op, "--domain", c.domain, "--largest", "0", "--smallest", "0", "--all",
                                        "--json", "out.json"] + options), "convalgebra-mpi analyze --all")
        let values = try #require(r.json("out.json")["singular_values"] as? [Double])
        #expect(values.count == all.count && zip(values, all.reversed()).allSatisfy { abs($0 - $1) <= 1e-10 * all[0] })
    }
}
