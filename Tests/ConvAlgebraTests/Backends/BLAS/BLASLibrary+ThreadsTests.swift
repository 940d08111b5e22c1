import ConvAlgebra
import Testing

/// Stopping OpenBLAS's idle workers loses nothing: the GEMM that follows (large enough for OpenBLAS to thread it)
/// still computes the product. Checked in a child process, the `convalgebra` command, which stops them at start
/// (they are running from the library's load on) and then applies a conv's dense form in FP64 through OpenBLAS's
/// threaded `dgemm`: stopping them here, in the test process, would race with the other suites' BLAS and LAPACK
/// calls running at the same time (a call in progress then waits for its workers for ever).
@Suite struct BLASLibraryThreadsTests {
    @Test func stoppingIdleWorkersKeepsBLASWorking() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([16, 8, 16, 16], seed: 1, as: Double.self), "x.npy")
        try cli.write(try CLIRunner.random([8, 8, 3, 3], seed: 2, as: Double.self), "w.npy")
        let conv = ["apply", "conv", "--padding", "1", "--weight", "w.npy", "--input", "x.npy"]
        try cli.expectSuccess(conv + ["--form", "dense", "--output", "dense.npy"])  // 16 × 2048 × 2048 in dgemm
        try cli.expectSuccess(conv + ["--form", "direct", "--output", "direct.npy"])
        let dense = try cli.read("dense.npy").tensor(of: Double.self)
        let direct = try cli.read("direct.npy").tensor(of: Double.self)
        #expect(dense.shape.dims == [16, 8, 16, 16] && dense.shape == direct.shape)
        #expect(zip(dense.scalars, direct.scalars).allSatisfy { abs($0 - $1) <= 1e-12 * 72 })
    }
}
