import ConvAlgebra
import Foundation
import Testing

/// `convalgebra-mpi lstsq` (LSQR) against LAPACK's least squares on the dense matrix of the same convolution.
@Suite(.serialized) struct MPILeastSquaresTests {
    @Test(arguments: [1, 2])
    func deconvolutionEqualsLAPACK(processes: Int) throws {
        let r = try MPIRunner()
        let w = try r.random("w.npy", [3, 2, 3, 3], seed: 21)
        let b = try r.random("b.npy", [2, 3, 6, 6], seed: 22)
        r.succeed(try r.mpi(processes, ["lstsq", "conv", "--domain", "2,6,6", "--padding", "1", "--weight", "w.npy",
                                        "--input", "b.npy", "--output", "x.npy", "-ksp_rtol", "1e-14"]), "convalgebra-mpi lstsq")
        let x = try r.read("x.npy").tensor(of: Double.self)
        #expect(x.shape.dims == [2, 2, 6, 6])
        let a = try ConvolutionLayer(inputShape: [2, 6, 6], weight: w, padding: .explicit(begin: [1, 1], end: [1, 1])).linear.dense()
        let rhs = try DenseMatrix(rows: 108, columns: 2, entries: (0..<108).flatMap { i in [b.scalars[i], b.scalars[108 + i]] })
        let solution = try a.leastSquares(rhs).solution
        var worst = 0.0
        for s in 0..<2 { for i in 0..<72 { worst = max(worst, abs(x.scalars[s * 72 + i] - solution[i, s])) } }
        #expect(worst <= 1e-8, "largest difference \(worst)")
    }
}

/// Bad input fails with one `error:` line from rank 0, a non-zero exit and no output file.
@Suite(.serialized) struct MPIFailureTests {
    @Test(arguments: [
        (["apply", "frobnicate", "--input", "x.npy", "--output", "y.npy"], "unknown op"),
        (["apply", "downsample", "--factor", "2", "--input", "missing.npy", "--output", "y.npy"], "missing.npy"),
        (["apply", "downsample", "--factor", "2", "--input", "x.npy", "--output", "y.npy", "--then", "downsample --factor 2"], "chain"),
        (["apply", "max-pool", "--kernel-size", "2", "--input", "x.npy", "--output", "y.npy"], "not linear"),
        (["analyze", "downsample", "--factor", "2", "--domain", "8", "--largest", "9"], "singular values"),
        (["apply", "downsample", "--factor", "2", "--input", "x.npy", "--output", "y.npy", "--transpose"], "--domain"),
    ])
    func failsWithOneLine(arguments: [String], fragment: String) throws {
        let r = try MPIRunner()
        try r.random("x.npy", [2, 1, 8], seed: 1)
        let result = try r.mpi(2, arguments)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(lines.count == 1 && lines[0].contains(fragment), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: r.path("y.npy")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: r.directory).allSatisfy { !$0.contains(".partial") })
    }
}
