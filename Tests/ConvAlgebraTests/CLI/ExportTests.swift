import ConvAlgebra
import Foundation
import Testing

/// `convalgebra export` through the built binary: for every op family, forward and `--transpose`, the
/// exported matrix (read back from .npz, .mtx or .npy by the library's readers) times a random batch equals
/// `convalgebra apply` on that batch; a max-pool exports its Jacobian at `--input`; errors are one line and
/// leave no file.
@Suite struct ExportTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: String
        var options: [String]
        var domain: [Int]
        var weight: [Int]? = nil
        var testDescription: String { ([op] + options).joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(op: "convolve", options: ["--mode", "same", "--stride", "2"], domain: [16], weight: [5]),
        Case(op: "convolve", options: ["--mode", "circular", "--dilation", "2"], domain: [12], weight: [3]),
        Case(op: "downsample", options: ["--factor", "3", "--phase", "1"], domain: [10]),
        Case(op: "upsample-zeros", options: ["--factor", "2"], domain: [7]),
        Case(op: "conv", options: ["--stride", "2", "--padding", "1"], domain: [2, 11], weight: [4, 2, 3]),
        Case(op: "conv", options: ["--padding", "1", "--padding-mode", "reflect"], domain: [2, 5, 6], weight: [3, 2, 3, 3]),
        Case(op: "conv", options: ["--stride", "2"], domain: [2, 4, 4, 4], weight: [2, 2, 2, 2, 2]),
        Case(op: "conv", options: ["--groups", "2", "--dilation", "2", "--padding", "same"], domain: [2, 7, 7], weight: [4, 1, 3, 3]),
        Case(op: "conv-transpose", options: ["--stride", "2", "--padding", "1", "--output-padding", "1"], domain: [2, 4, 4],
             weight: [2, 3, 3, 3]),
        Case(op: "avg-pool", options: ["--kernel-size", "3", "--stride", "2", "--padding", "1", "--ceil-mode"], domain: [2, 7, 7]),
        Case(op: "upsample", options: ["--scale", "2", "--mode", "nearest"], domain: [2, 3, 4]),
        Case(op: "upsample", options: ["--scale", "3", "--mode", "linear"], domain: [2, 5]),
    ]

    /// The matrix in `name`, as float64, read with the library's reader for its format.
    static func matrix(_ cli: CLIRunner, _ name: String) throws -> DenseMatrix<Double> {
        let path = cli.path(name)
        switch try MatrixFormat(path: name) {
        case .npz:
            let m = try NPZ.read(path: path).matrix(of: Float.self).dense()
            return try DenseMatrix(rows: m.rows, columns: m.columns, entries: m.entries.map(Double.init))
        case .mtx:
            return try MatrixMarket.read(path: path, as: Double.self).dense()
        case .npy:
            let t = try NPY.read(path: path).tensor(of: Float.self)
            #expect(t.shape.rank == 2)
            return try DenseMatrix(rows: t.shape.dims[0], columns: t.shape.dims[1], entries: t.scalars.map(Double.init))
        }
    }

    /// Expects `a · x_b = y_b` for every sample `b` of the batches `x` and `y` (float32 tolerance).
    static func expectProduct(_ a: DenseMatrix<Double>, _ x: Tensor<Float>, _ y: Tensor<Float>, _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let batch = x.shape.dims[0]
        #expect(a.columns * batch == x.scalars.count && a.rows * batch == y.scalars.count, "\(what): sizes", sourceLocation: sourceLocation)
        guard a.columns * batch == x.scalars.count && a.rows * batch == y.scalars.count else { return }
        var worst = 0.0
        for b in 0..<batch {
            for i in 0..<a.rows {
                var s = 0.0
                for j in 0..<a.columns { s += a[i, j] * Double(x.scalars[b * a.columns + j]) }
                worst = max(worst, abs(s - Double(y.scalars[b * a.rows + i])))
            }
        }
        #expect(worst <= 1e-5, "\(what): |A x − apply(x)| = \(worst)", sourceLocation: sourceLocation)
    }

    @Test(arguments: zip(cases, cases.indices))
    func exportTimesABatchEqualsApply(_ c: Case, _ index: Int) throws {
        let cli = try CLIRunner()
        let format = MatrixFormat.allCases[index % 3].rawValue
        var options = c.options
        if let w = c.weight {
            try cli.write(try CLIRunner.random(w, seed: UInt64(index + 1), as: Float.self), "w.npy")
            options += ["--weight", "w.npy"]
        }
        let domain = c.domain.map(String.init).joined(separator: ",")
        // Forward: A x = apply(x) for a batch of 3.
        let x = try CLIRunner.random([3] + c.domain, seed: UInt64(100 + index), as: Float.self)
        try cli.write(x, "x.npy")
        try cli.expectSuccess(["apply", c.op, "--input", "x.npy", "--output", "y.npy"] + options)
        try cli.expectSuccess(["export", c.op, "--domain", domain, "--output", "a." + format] + options)
        let y = try cli.read("y.npy").tensor(of: Float.self)
        let a = try Self.matrix(cli, "a." + format)
        Self.expectProduct(a, x, y, "\(c.testDescription) (\(format))")
        // Transpose: Aᵀ z = apply --transpose (z), and the exported transpose is Aᵀ entry for entry.
        let z = try CLIRunner.random([3] + Array(y.shape.dims.dropFirst()), seed: UInt64(200 + index), as: Float.self)
        try cli.write(z, "z.npy")
        try cli.expectSuccess(["apply", c.op, "--transpose", "--domain", domain, "--input", "z.npy", "--output", "u.npy"] + options)
        try cli.expectSuccess(["export", c.op, "--transpose", "--domain", domain, "--output", "t." + format] + options)
        let t = try Self.matrix(cli, "t." + format)
        Self.expectProduct(t, z, try cli.read("u.npy").tensor(of: Float.self), "\(c.testDescription)ᵀ (\(format))")
        #expect(t == a.transposed(), "\(c.testDescription): the exported transpose is not the transpose")
    }

    @Test func maxPoolExportsItsJacobianAtTheInput() throws {
        let cli = try CLIRunner()
        let x = try CLIRunner.random([1, 2, 6, 6], seed: 7, as: Float.self)
        try cli.write(x, "x.npy")
        let pool = ["--kernel-size", "3", "--stride", "2", "--padding", "1"]
        try cli.expectSuccess(["apply", "max-pool", "--input", "x.npy", "--output", "y.npy"] + pool)
        for format in ["npz", "mtx", "npy"] {
            try cli.expectSuccess(["export", "max-pool", "--domain", "2,6,6", "--input", "x.npy", "--output", "j." + format] + pool)
            let j = try Self.matrix(cli, "j." + format)
            // The Jacobian at x, applied to x, is the pooling of x: each row selects its window's maximum.
            Self.expectProduct(j, x, try cli.read("y.npy").tensor(of: Float.self), "max-pool Jacobian (\(format))")
            #expect(j.entries.allSatisfy { $0 == 0 || $0 == 1 })
        }
        // Its transpose (max-unpooling at x) is the Jacobian transposed.
        try cli.expectSuccess(["export", "max-pool", "--domain", "2,6,6", "--input", "x.npy", "--transpose", "--output", "t.npz"] + pool)
        #expect(try Self.matrix(cli, "t.npz") == Self.matrix(cli, "j.npz").transposed())
    }

    @Test func float64FollowsTheWeightOrDType() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([3], seed: 1, as: Double.self), "w.npy")
        try cli.expectSuccess(["export", "convolve", "--weight", "w.npy", "--domain", "8", "--output", "a.npz"])
        #expect(try NPZ.read(path: cli.path("a.npz")).matrix(of: Double.self).rows == 10)
        try cli.expectSuccess(["export", "upsample", "--scale", "2", "--domain", "1,4", "--dtype", "float64", "--output", "u.npy"])
        #expect(try cli.read("u.npy").dtypeName == "float64")
        try cli.expectSuccess(["export", "upsample", "--scale", "2", "--domain", "1,4", "--output", "f.npy"])
        #expect(try cli.read("f.npy").dtypeName == "float32")
    }

    @Test func errorsAreOneLineAndLeaveNoFile() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([4, 2, 3, 3], seed: 1, as: Float.self), "w.npy")
        try cli.write(try CLIRunner.random([4], seed: 2, as: Float.self), "b.npy")
        let conv = ["export", "conv", "--weight", "w.npy", "--domain", "2,6,6"]
        try cli.expectFailure(conv + ["--output", "a.txt"], output: "a.txt", containing: "extension")
        try cli.expectFailure(conv + ["--output", "a.npz", "--format", "csv"], output: "a.npz", containing: "unknown format")
        try cli.expectFailure(conv + ["--output", "a.npz", "--bias", "b.npy"], output: "a.npz", containing: "--bias")
        try cli.expectFailure(conv + ["--output", "a.npz", "--dtype", "float64"], output: "a.npz", containing: "contradicts")
        try cli.expectFailure(["export", "conv", "--weight", "w.npy", "--domain", "3,6,6", "--output", "a.npz"], output: "a.npz")
        try cli.expectFailure(["export", "max-pool", "--kernel-size", "2", "--domain", "2,6,6", "--output", "a.npz"],
                              output: "a.npz", containing: "--input")
        try cli.expectFailure(["export", "upsample", "--scale", "64", "--domain", "4,64,64", "--output", "a.npy",
                               "--memory-budget", "1M"], output: "a.npy", containing: "memory budget")
        try cli.expectFailure(["export", "frobnicate", "--domain", "4", "--output", "a.npz"], output: "a.npz", containing: "unknown op")
    }
}
