import ConvAlgebra
import Synchronization
import Testing

@Suite struct PlanCacheTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    }

    @Test func buildsEachKeyOnce() {
        let cache = PlanCache(), builds = Counter()
        let a = cache.plan(for: "dense") { builds.increment() }
        let b = cache.plan(for: "dense") { builds.increment() }
        let c = cache.plan(for: "sparse") { builds.increment() }
        #expect(a == 1 && b == 1 && c == 2)
        #expect(cache.count == 2)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.plan(for: "dense") { builds.increment() } == 3)
    }

    @Test func concurrentCallersShareOnePlan() async {
        let cache = PlanCache(), builds = Counter()
        let results = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 { group.addTask { cache.plan(for: 7) { builds.increment() } } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(results) == [1])
        #expect(builds.value.withLock { $0 } == 1)
    }

    @Test func aFailedBuildCachesNothing() {
        struct Refused: Error {}
        let cache = PlanCache()
        #expect(throws: Refused.self) { try cache.plan(for: "x") { () throws -> Int in throw Refused() } }
        #expect(cache.count == 0)
    }

    @Test func isNotPartOfTheOperatorsValue() {
        let a = PlanCache(), b = PlanCache()
        _ = a.plan(for: 1) { "built" }
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }
}
