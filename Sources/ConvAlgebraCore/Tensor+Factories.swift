/// Tensors made from a shape alone: all zeros, or seeded random values.
extension Tensor {
    /// A tensor of `shape` holding zeros, PyTorch's `torch.zeros(shape)`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a negative extent, ``ConvAlgebraError/overflow(_:)``
    ///   or ``ConvAlgebraError/exceedsMemoryBudget(what:bytes:budget:)`` before anything is allocated.
    /// - Complexity: `O(∏ shape)` writes.
    public static func zeros(shape: [Int], budget: MemoryBudget = .default) throws -> Tensor {
        let s = try Shape(shape)
        try budget.check("a zero tensor of shape \(s)", count: s.count, elementBytes: MemoryLayout<Scalar>.stride)
        return Tensor(shape: s, repeating: 0)
    }

    /// A tensor of `shape` holding values **uniform on `[−1, 1)`** from a ``SplitMix64`` stream seeded with
    /// `seed`: the same seed gives the same tensor on every machine.
    ///
    /// Each value takes the top `p` bits of one 64-bit output `z` (`p` = 53 for `Double`, 24 for `Float`,
    /// the significand's precision), so every value is exact and the interval is half-open:
    /// ```
    /// v = (z ≫ (64 − p)) · 2^(1−p) − 1        (for Double this is SplitMix64.nextSigned())
    /// ```
    /// - Throws: as ``zeros(shape:budget:)``.
    /// - Complexity: `O(∏ shape)`.
    public static func random(shape: [Int], seed: UInt64, budget: MemoryBudget = .default) throws -> Tensor {
        let s = try Shape(shape)
        try budget.check("a random tensor of shape \(s)", count: s.count, elementBytes: MemoryLayout<Scalar>.stride)
        let p = Scalar.significandBitCount + 1
        let unit = 1 / Scalar(UInt64(1) << UInt64(p - 1))   // 2^(1−p), exact
        var rng = SplitMix64(seed: seed)
        var values = [Scalar]()
        values.reserveCapacity(s.count)
        for _ in 0..<s.count { values.append(Scalar(rng.next() >> UInt64(64 - p)) * unit - 1) }
        return Tensor(unchecked: s, values)
    }

    /// A tensor whose `scalars.count == shape.count` is known by construction.
    package init(unchecked shape: Shape, _ scalars: [Scalar]) {
        self.shape = shape
        self.scalars = scalars
    }
}
