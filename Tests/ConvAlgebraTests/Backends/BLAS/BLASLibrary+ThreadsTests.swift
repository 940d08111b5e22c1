@testable import ConvAlgebra
import Foundation
import Synchronization
import Testing

/// Stopping OpenBLAS's idle workers loses nothing: the GEMM that follows (large enough for OpenBLAS to thread it)
/// still computes the product. Checked in a child process, the `convalgebra` command, which stops them at start
/// (they are running from the library's load on) and then applies a conv's dense form in FP64 through OpenBLAS's
/// threaded `dgemm`. In the test process, where other suites' BLAS and LAPACK calls run at the same time, the stop
/// waits for the calls in progress (``BLASLibrary/call(_:)``): without that, a call stopped under waited for its
/// workers for ever.
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

    /// The stop holds the call lock exclusively: begun while a call is in progress on another thread, it returns
    /// only after that call has.
    @Test func stoppingWaitsForACallInProgress() {
        let events = Mutex([String]())
        let entered = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Thread {
            BLASLibrary.call {
                entered.signal()
                usleep(50_000)  // the stop below starts meanwhile
                events.withLock { $0.append("call returned") }
            }
            done.signal()
        }.start()
        entered.wait()
        BLASLibrary.stopIdleThreads()
        events.withLock { $0.append("stop returned") }
        done.wait()
        #expect(events.withLock { $0 } == ["call returned", "stop returned"])
    }

    /// Threaded GEMMs on one thread while another stops the workers again and again: every product completes and
    /// is right (before the lock, a stop under a threaded call could leave it waiting for ever).
    @Test func stoppingBesideThreadedCallsLosesNothing() {
        let n = 256
        let a = (0..<(n * n)).map { Double($0 % 7) - 3 }, b = (0..<(n * n)).map { Double($0 % 5) - 2 }
        var reference = [Double](repeating: 0, count: n * n)
        Double.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                    beta: 0, c: &reference, ldc: n)
        let stop = Atomic(false), finished = DispatchSemaphore(value: 0)
        let stopper = Thread {
            while !stop.load(ordering: .relaxed) { BLASLibrary.stopIdleThreads(); usleep(200) }
            finished.signal()
        }
        stopper.start()
        var c = [Double](repeating: 0, count: n * n)
        var allRight = true
        for _ in 0..<40 {
            Double.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                        beta: 0, c: &c, ldc: n)
            allRight = allRight && c == reference
        }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        #expect(allRight)
    }
}
