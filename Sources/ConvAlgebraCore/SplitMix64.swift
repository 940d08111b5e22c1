/// A seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64): the same seed gives the
/// same stream on every machine, so a failing random test can be replayed from its seed.
///
/// ```
/// state ← state + 0x9E3779B97F4A7C15
/// z ← (state ⊕ state≫30)·0xBF58476D1CE4E5B9;  z ← (z ⊕ z≫27)·0x94D049BB133111EB;  return z ⊕ z≫31
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The current state; the next output is a function of `state + γ`.
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next value uniform in `[−1, 1)`: the top 53 bits of ``next()`` scaled, `(z ≫ 11)·2⁻⁵² − 1`.
    public mutating func nextSigned() -> Double { Double(next() >> 11) * 0x1p-52 - 1 }

    /// `count` values uniform in `[−1, 1)`, one ``nextSigned()`` each.
    public mutating func uniform<S: BinaryFloatingPoint>(_ count: Int, as _: S.Type = S.self) -> [S] {
        (0..<max(count, 0)).map { _ in S(nextSigned()) }
    }
}
