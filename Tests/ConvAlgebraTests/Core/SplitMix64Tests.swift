import ConvAlgebra
import Testing

/// SplitMix64 against the reference implementation's published outputs (Vigna's `splitmix64.c`, seed 0), and
/// its uniform values against their range and moments.
@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceStream() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func sameSeedSameStreamOtherSeedOtherStream() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let x = (0..<8).map { _ in a.next() }
        #expect(x == (0..<8).map { _ in b.next() })
        #expect(x != (0..<8).map { _ in c.next() })
        #expect(a.state == b.state)
    }

    /// `[−1, 1)`, mean ≈ 0 and variance ≈ 1/3 (the uniform distribution's), the top 53 bits used.
    @Test func uniformValuesCoverMinusOneToOne() {
        var g = SplitMix64(seed: 7)
        let v: [Double] = g.uniform(20_000)
        #expect(v.allSatisfy { $0 >= -1 && $0 < 1 })
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
        #expect(abs(mean) < 0.02 && abs(variance - 1.0 / 3) < 0.02, "mean \(mean), variance \(variance)")
        var h = SplitMix64(seed: 7)
        let raw = h.next()
        #expect(v[0] == Double(raw >> 11) * 0x1p-52 - 1)
        var f = SplitMix64(seed: 7)
        #expect(f.uniform(3, as: Float.self) == v.prefix(3).map { Float($0) })
        #expect(f.uniform(-1, as: Float.self).isEmpty)
    }
}
