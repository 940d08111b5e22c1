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
/// - Complexity: a look-up is one lock and a scan of the few plans held (an operator keeps one per direction and
///   form), each key compared by its type's identity and then its own `==`; building runs `make` once per key.
public final class PlanCache: Sendable, Hashable, CustomStringConvertible {
    /// One plan and its key.
    fileprivate struct Entry: Sendable {
        let key: any Hashable & Sendable
        let plan: any Sendable
    }
    fileprivate let plans = Locked<[Entry]>([])

    public init() {}

    /// The plan for `key`, built by `make` the first time it is asked for.
    ///
    /// A plan of another type under the same key is replaced (a key names one kind of plan). `make` runs under
    /// the cache's lock, so it must not ask this same cache for another plan.
    /// - Throws: what `make` throws; nothing is cached then.
    public func plan<Key: Hashable & Sendable, Plan: Sendable>(
        for key: Key, _ make: () throws -> Plan
    ) rethrows -> Plan {
        try plans.withLock { entries in
            if let i = entries.firstIndex(where: { Self.matches($0.key, key) }),
               let built = Self.value(entries[i].plan, as: Plan.self) { return built }
            let built = try make()
            Self.store(built, for: key, in: &entries)
            return built
        }
    }

    /// Puts `plan` under `key` in `entries`, in place of the entry with that key if there is one.
    fileprivate static func store<Key: Hashable & Sendable>(_ plan: any Sendable, for key: Key, in entries: inout [Entry]) {
        if let i = entries.firstIndex(where: { matches($0.key, key) }) {
            entries[i] = Entry(key: key, plan: plan)
        } else {
            entries.append(Entry(key: key, plan: plan))
        }
    }

    /// Whether `stored` is `key`: the same type (compared by identity, not cast), then equal by `Key`'s `==`.
    /// A dictionary keyed by `AnyHashable` and a cast of the plan cost about 0.5 µs a look-up in the generic code
    /// that applies an operator (metadata of the hashable box looked up at run time, dynamic casts): more than the
    /// 0.4 µs GEMM of a small fully connected layer (mx-fc at B = 1).
    fileprivate static func matches<Key: Hashable>(_ stored: any Hashable & Sendable, _ key: Key) -> Bool {
        func open<T: Hashable>(_ t: T) -> Bool { T.self == Key.self && unsafeBitCast(t, to: Key.self) == key }
        return open(stored)
    }

    /// `stored` as a `Plan`: read as it is when its type is `Plan` itself, else cast (an existential `Plan`).
    fileprivate static func value<Plan>(_ stored: any Sendable, as _: Plan.Type) -> Plan? {
        func open<P>(_ p: P) -> Plan? { P.self == Plan.self ? unsafeBitCast(p, to: Plan.self) : p as? Plan }
        return open(stored)
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
        plans.withLock { Self.store(plan, for: key, in: &$0) }
    }
}
