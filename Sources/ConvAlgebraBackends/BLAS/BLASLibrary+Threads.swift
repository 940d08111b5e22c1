#if canImport(Glibc)
import Glibc
#endif

extension BLASLibrary {
    /// The shared objects that may each carry a whole OpenBLAS with its own thread pool: Debian links LAPACKE
    /// against `liblapack.so.3` and `libblas.so.3`, which the `openblas-pthread` alternatives make two further
    /// complete copies of OpenBLAS beside `libopenblas.so.0`.
    static let openBLASCopies = ["libopenblas.so.0", "libblas.so.3", "liblapack.so.3"]

    /// Stops the worker threads of every OpenBLAS loaded in this process; returns how many copies had the call.
    ///
    /// Why: an OpenBLAS worker with nothing to do does not sleep at once: it loops on `sched_yield` for
    /// `OPENBLAS_THREAD_TIMEOUT` (2²⁸ cycles by default, about 0.1 s), from the moment the library is loaded and
    /// again after every threaded BLAS call, and each copy has its own workers. While they spin they share the
    /// cores with `WorkerPool`'s, and our kernels run at half speed: measured on a 2-core Zen 4, the panel GEMM
    /// of 256 × 256 × 256 took 0.30 ms in a fresh process and 0.18 ms with `OPENBLAS_THREAD_TIMEOUT=4` or with
    /// the workers stopped; with `OPENBLAS_NUM_THREADS=1` (no workers) 0.18 ms too.
    ///
    /// OpenBLAS starts its workers again at its next threaded call, so nothing is lost but the spin. It holds the
    /// call lock (``call(_:)``) exclusively: it waits for the package's BLAS and LAPACK calls in progress on other
    /// threads and holds off new ones, so it is safe from any thread (stopping the pool under a call in progress
    /// left that call waiting for its workers for ever). A BLAS call made around the package (another library's)
    /// is not covered. The `convalgebra` command calls it at start and before each timed benchmark run.
    /// - Complexity: joins at most one pool of workers per copy (tens of microseconds when they spin).
    @discardableResult
    public static func stopIdleThreads() -> Int {
        #if canImport(Glibc)
        exclusively { stopAll() }
        #else
        return 0
        #endif
    }

    #if canImport(Glibc)
    /// `blas_thread_shutdown_` of each OpenBLAS copy loaded; how many had it.
    private static func stopAll() -> Int {
        var stopped = 0
        for name in openBLASCopies {
            guard let handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD) else { continue }
            defer { dlclose(handle) }
            guard let symbol = dlsym(handle, "blas_thread_shutdown_") else { continue }
            typealias Shutdown = @convention(c) () -> Int32
            _ = unsafeBitCast(symbol, to: Shutdown.self)()
            stopped += 1
        }
        return stopped
    }
    #endif
}
