#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BLASLibrary {
    /// Runs `body`, one BLAS or LAPACK call, with the library's call lock held shared: any number of calls run at
    /// once, and ``stopIdleThreads()``, which holds it exclusively, waits for those in progress and holds off new
    /// ones. Every BLAS and LAPACK call of the package goes through it.
    ///
    /// Why: stopping OpenBLAS's pool (`blas_thread_shutdown_`) while another thread is inside a threaded call
    /// leaves that call waiting for its workers for ever (a test run hung in `dgesdd` → `exec_blas_async_wait`
    /// while another test stopped the pool before timing a benchmark). With the lock, stopping the workers is safe
    /// from any thread at any time.
    /// - Complexity: a shared lock and unlock (an atomic operation each) around the call.
    public static func call<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(callLock.lock)
        defer { pthread_rwlock_unlock(callLock.lock) }
        return try body()
    }

    /// Runs `body` with the call lock held exclusively: no BLAS or LAPACK call of ours is in progress meanwhile.
    static func exclusively<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(callLock.lock)
        defer { pthread_rwlock_unlock(callLock.lock) }
        return try body()
    }

    /// The process's one call lock (a POSIX read–write lock: ThreadSanitizer sees it, as ``Locked``'s mutex).
    private static let callLock = RWLock()

    private final class RWLock: @unchecked Sendable {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        init() { pthread_rwlock_init(lock, nil) }
        deinit {
            pthread_rwlock_destroy(lock)
            lock.deallocate()
        }
    }
}
