/// The plans an immutable operator has built, kept so that each is built once (FFTW's plan, ONNX Runtime's
/// prepacked kernel): everything that depends only on the operator and on how it is applied — the chosen
/// kernel, packed weights, offset and gather tables, the work split, a materialised matrix — is computed by
/// the first application and reused by every later one.
///
/// A plan is keyed by what it was built for (for example the form, the direction and the batch class), built
/// under a lock (two threads asking at once get the same plan, built once) and then shared: plans are
/// immutable, `Sendable` values. The cache is not part of the operator's value: two operators equal in every
/// other respect are equal whatever their caches hold (`==` is always true, the hash adds nothing), and a copy
/// of an operator shares its cache, which is sound because the operator it plans for is immutable.
///
/// - Complexity: a look-up is one lock and one dictionary probe; building runs `make` once per key.
public final class PlanCache: Sendable, Hashable, CustomStringConvertible {
    fileprivate let plans = Locked<[AnyHashable: any Sendable]>([:])

    public init() {}

    /// The plan for `key`, built by `make` the first time it is asked for.
    ///
    /// A plan of another type under the same key is replaced (a key names one kind of plan). `make` runs under
    /// the cache's lock, so it must not ask this same cache for another plan.
    /// - Throws: what `make` throws; nothing is cached then.
    public func plan<Key: Hashable & Sendable, Plan: Sendable>(
        for key: Key, _ make: () throws -> Plan
    ) rethrows -> Plan {
        try plans.withLock { table in
            if let built = table[AnyHashable(key)] as? Plan { return built }
            let built = try make()
            table[AnyHashable(key)] = built
            return built
        }
    }

    /// The number of plans held (for tests and reports).
    public var count: Int { plans.withLock { $0.count } }

    /// Drops every plan (they are rebuilt on demand), for example after the machine profile changed.
    public func removeAll() { plans.withLock { $0.removeAll() } }

    public static func == (lhs: PlanCache, rhs: PlanCache) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
    public var description: String { "PlanCache(\(count) plans)" }
}

extension PlanCache {
    /// Keeps `plan` under `key`, replacing whatever was there (a planner installing the plan it chose).
    package func replace<Key: Hashable & Sendable, Plan: Sendable>(_ plan: Plan, for key: Key) {
        plans.withLock { $0[AnyHashable(key)] = plan }
    }
}
