#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value reachable only under a POSIX mutex: the package's lock, used where the standard library's
/// `Synchronization.Mutex` would do.
///
/// Why not `Mutex`: on Linux it locks through its own atomics and the `futex` system call, compiled into the
/// prebuilt standard library without ThreadSanitizer's instrumentation, so TSan sees neither the lock nor the
/// unlock and reports every access made under it from two threads as a data race (`make sanitize-thread` did,
/// in ``ScratchPool``'s blocks handed from one thread to the next). `pthread_mutex_lock`/`unlock` are
/// intercepted by TSan, which then orders those accesses as the lock does; the cost is the same uncontended
/// atomic exchange.
///
/// ```
/// let counter = Locked(0)
/// counter.withLock { $0 += 1 }
/// ```
/// - Complexity: one lock and one unlock per ``withLock(_:)``.
package final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value with the lock held; `body` must not take this lock again (it is not recursive).
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

extension Locked where Value == Void {
    /// Mutual exclusion alone (a lock around a C library that is not thread-safe): runs `body` with the lock held.
    /// Without the empty value: TSan records an `inout` access to a zero-sized stored property at the object's
    /// own address, and then reports any unlocked read of the object's header from another thread as a race with
    /// it (a 30-line check: 1 report for `withLock { _ in … }` on a `Locked<Void>`, none for this).
    package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
