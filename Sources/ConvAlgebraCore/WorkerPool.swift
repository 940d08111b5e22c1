#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A persistent fork-join pool: `threads − 1` workers that live as long as the process, plus the caller.
///
/// A parallel region publishes its jobs `0 ..< n`; the caller and every worker that joins claim job indices
/// one at a time from a shared counter (dynamic chunks: a core that wakes late or runs slower simply takes
/// fewer), and the region ends when every claimed job has finished. Between regions a worker spins for a short
/// while (kernels call back to back: a spinning worker joins in well under a microsecond), then parks on a
/// condition variable so that an idle library costs nothing. `DispatchQueue.concurrentPerform`, which this
/// replaces, split the work once into as many parts as cores and woke its second thread late or not at all
/// on a loaded machine (measured median 4 ms, max 14 ms), so a two-core apply often ran on one.
///
/// One region runs at a time: a region asked for while another runs (another thread's apply, or a job that
/// itself asks for a parallel loop) runs on its caller alone, which is always correct and never deadlocks.
///
/// The region protocol is one atomic word, `generation · 2³² + open · 2³¹ + active`: a worker joins a region
/// by incrementing `active` while the word still shows that region open; the caller closes it once all jobs
/// are claimed, then waits for `active` to fall to zero. A worker can therefore never touch a region that has
/// ended. The workers hold the pool, so a pool is never deallocated (the shared one lives with the process).
package final class WorkerPool: @unchecked Sendable {
    /// The pool the kernels use, with ``MachineProfile/threads`` threads (the caller counts as one).
    package static let shared = WorkerPool(threads: MachineProfile.current.threads)

    /// Threads that take part in a region, the caller included.
    package let threads: Int

    private let state = Atomic<UInt64>(0)
    private let next = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The current region's jobs; written before the region is published, read by workers that joined it.
    private nonisolated(unsafe) var body: ((Int) -> Void)?
    private nonisolated(unsafe) var jobs = 0

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private nonisolated(unsafe) var sleepers = 0

    /// How long an idle worker spins before it parks, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 200_000

    private static let openBit: UInt64 = 1 << 31
    private static let activeMask: UInt64 = (1 << 31) - 1

    package init(threads: Int) {
        self.threads = max(threads, 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 1..<self.threads { startWorker() }
    }

    /// Only a pool without workers ends (a worker holds its pool): its lock and condition variable go with it. (Found
    /// by LeakSanitizer in `make sanitize`: a one-thread pool left both allocations behind.)
    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body(0) … body(jobs − 1)`, each exactly once, on the caller and the pool's workers.
    package func run(jobs: Int, _ body: (Int) -> Void) {
        guard jobs > 0 else { return }
        guard threads > 1, jobs > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for j in 0..<jobs { body(j) }
            return
        }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.jobs = jobs
            next.store(0, ordering: .relaxed)
            // Publish: a new generation, open, no worker yet.
            let generation = (state.load(ordering: .relaxed) >> 32) &+ 1
            state.store(generation << 32 | Self.openBit, ordering: .releasing)
            wakeSleepers()
            claim()
            // Close the region (no worker joins after this), then wait for those that joined.
            var word = state.load(ordering: .acquiring)
            while true {
                let (exchanged, original) = state.compareExchange(
                    expected: word, desired: word & ~Self.openBit, ordering: .acquiringAndReleasing)
                if exchanged { break }
                word = original
            }
            while state.load(ordering: .acquiring) & Self.activeMask != 0 { spinPause() }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs jobs until none is left.
    private func claim() {
        let body = self.body!, jobs = self.jobs
        while true {
            let j = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if j >= jobs { return }
            body(j)
        }
    }

    private func wakeSleepers() {
        pthread_mutex_lock(mutex)
        if sleepers > 0 { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
    }

    // MARK: - Workers

    private func startWorker() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let made = pthread_create(&thread, nil, { context in
            let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
            pool.work()  // never returns: a worker lives as long as the process
        }, context)
        if made == 0 { pthread_detach(thread) } else { Unmanaged<WorkerPool>.fromOpaque(context).release() }
    }

    /// A worker's life: wait for a region, join it while it is open, claim its jobs, leave it; forever.
    private func work() -> Never {
        // Generation 0 is the pool's state before its first region: a worker that starts after the first region
        // was published still joins it.
        var seen: UInt64 = 0
        while true {
            let word = waitForNewGeneration(after: seen)
            seen = word >> 32
            guard join(word) else { continue }
            claim()
            _ = state.wrappingSubtract(1, ordering: .releasing)
        }
    }

    /// Increments `active` if the region of `word` is still open; false when it has closed or moved on.
    private func join(_ observed: UInt64) -> Bool {
        var word = observed
        while word & Self.openBit != 0 && word >> 32 == observed >> 32 {
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            word = original
        }
        return false
    }

    /// Spins until the generation moves past `seen`, then parks; returns the new state word.
    private func waitForNewGeneration(after seen: UInt64) -> UInt64 {
        let start = Self.now()
        var spins = 0
        while true {
            let word = state.load(ordering: .acquiring)
            if word >> 32 != seen { return word }
            spinPause()
            spins += 1
            if spins & 255 == 0, Self.now() &- start > Self.spinNanoseconds { break }
        }
        pthread_mutex_lock(mutex)
        sleepers += 1
        var word = state.load(ordering: .acquiring)
        while word >> 32 == seen {
            pthread_cond_wait(condition, mutex)
            word = state.load(ordering: .acquiring)
        }
        sleepers -= 1
        pthread_mutex_unlock(mutex)
        return word
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// Gives the core away for a moment: on a loaded machine the thread being waited for may need it.
    @inline(__always) private func spinPause() { sched_yield() }
}
