@testable import ConvAlgebraCore
import Testing

/// `Locked`: the package's pthread-mutex lock (the one ThreadSanitizer can see; `make sanitize-thread` runs these).
@Suite struct LockedTests {
    /// 64 tasks × 1000 increments under the lock lose none.
    @Test func incrementsUnderTheLockAreNotLost() async {
        let counter = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 { group.addTask { for _ in 0..<1000 { counter.withLock { $0 += 1 } } } }
        }
        #expect(counter.withLock { $0 } == 64_000)
    }

    /// A `Locked<Void>` is a plain mutual exclusion: what the body returns comes back, and a thrown error passes through.
    @Test func aVoidLockExcludesAndPassesResultsAndErrors() async throws {
        let lock = Locked<Void>(())
        nonisolated(unsafe) var inside = 0, overlaps = 0
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<200 {
                        lock.withLock { inside += 1; if inside > 1 { overlaps += 1 }; inside -= 1 }
                    }
                }
            }
        }
        #expect(overlaps == 0)
        #expect(lock.withLock { 42 } == 42)
        struct Failure: Error {}
        #expect(throws: Failure.self) { try lock.withLock { throw Failure() } }
    }
}
