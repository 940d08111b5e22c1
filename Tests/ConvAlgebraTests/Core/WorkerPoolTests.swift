@testable import ConvAlgebraCore
import Foundation
import Synchronization
import Testing

/// The persistent pool: every job of every region exactly once, whatever the number of regions, callers and
/// nesting; regions really run on more than one thread.
@Suite struct WorkerPoolTests {
    /// One counter per job; a job writes only its own, so a job run twice (or never) shows.
    final class Counts: @unchecked Sendable {
        let values: UnsafeMutableBufferPointer<Int>
        init(_ n: Int) { values = .allocate(capacity: n); values.initialize(repeating: 0) }
        deinit { values.deallocate() }
        func bump(_ j: Int) { values[j] += 1 }
        func set(_ j: Int, _ v: Int) { values[j] = v }
        func all(equal v: Int) -> Bool { values.allSatisfy { $0 == v } }
        var sum: Int { values.reduce(0, +) }
    }

    static let pool = WorkerPool(threads: 4)

    @Test(arguments: [1, 2, 3, 17, 1000])
    func everyJobRunsExactlyOnce(jobs: Int) {
        for _ in 0..<200 {
            let counts = Counts(jobs)
            Self.pool.run(jobs: jobs) { j in counts.bump(j) }
            #expect(counts.all(equal: 1))
        }
    }

    /// Many short regions back to back (the workers spin, join late, park, wake): no job lost or doubled, and
    /// no region returns before its jobs are done.
    @Test func manyShortRegions() {
        let total = Atomic<Int>(0)
        for r in 0..<20_000 {
            let jobs = 1 + r % 7
            let done = Atomic<Int>(0)
            Self.pool.run(jobs: jobs) { _ in done.wrappingAdd(1, ordering: .relaxed) }
            #expect(done.load(ordering: .relaxed) == jobs)
            total.wrappingAdd(jobs, ordering: .relaxed)
        }
        #expect(total.load(ordering: .relaxed) == (0..<20_000).reduce(0) { $0 + 1 + $1 % 7 })
    }

    /// A job that asks for a parallel loop, and several threads asking at once, run the inner loops on their
    /// callers: every job still runs once and nothing deadlocks.
    @Test func nestedAndConcurrentRegions() async {
        let inner = Counts(64 * 8)
        Self.pool.run(jobs: 64) { i in
            Self.pool.run(jobs: 8) { j in inner.bump(i * 8 + j) }
        }
        #expect(inner.all(equal: 1))
        let sums = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var total = 0
                    for _ in 0..<100 {
                        let parts = Counts(16)
                        Self.pool.run(jobs: 16) { j in parts.set(j, j + t) }
                        total += parts.sum
                    }
                    return total
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sums.sorted() == (0..<8).map { t in 100 * (120 + 16 * t) })
    }

    /// The jobs of one region run on at least two threads: job 0 waits until some other thread has claimed a
    /// job (it gives up after 10 s, and the test then fails). A pool busy with another caller's region runs a
    /// second caller's jobs on that caller, by design, hence a pool of its own.
    @Test func aRegionRunsOnSeveralThreads() {
        let otherThreadStarted = Atomic<Bool>(false)
        let caller = pthread_self()
        let waited = Atomic<Bool>(false)
        let pool = WorkerPool(threads: 2)  // its own pool: the shared one may be busy with a concurrent test
        pool.run(jobs: 2) { j in
            if pthread_equal(pthread_self(), caller) == 0 { otherThreadStarted.store(true, ordering: .releasing) }
            if j == 0 {
                let deadline = Date().addingTimeInterval(10)
                while !otherThreadStarted.load(ordering: .acquiring) && Date() < deadline { sched_yield() }
                waited.store(otherThreadStarted.load(ordering: .acquiring), ordering: .relaxed)
            }
        }
        #expect(waited.load(ordering: .relaxed) || otherThreadStarted.load(ordering: .relaxed))
    }

    @Test func aOneThreadPoolRunsOnItsCaller() {
        let pool = WorkerPool(threads: 1)
        let caller = pthread_self()
        let elsewhere = Atomic<Int>(0)
        pool.run(jobs: 50) { _ in if pthread_equal(pthread_self(), caller) == 0 { elsewhere.wrappingAdd(1, ordering: .relaxed) } }
        #expect(elsewhere.load(ordering: .relaxed) == 0)
        #expect(pool.threads == 1)
    }

    @Test func theSharedPoolHasTheProfilesThreads() {
        #expect(WorkerPool.shared.threads == MachineProfile.current.threads)
    }
}
