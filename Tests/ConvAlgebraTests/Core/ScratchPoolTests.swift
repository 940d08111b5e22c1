import ConvAlgebra
import Testing

@Suite struct ScratchPoolTests {
    @Test func scratchIsReused() {
        let pool = ScratchPool()
        let first = pool.with(Float.self, count: 100) { UInt(bitPattern: $0) }
        let second = pool.with(Float.self, count: 50) { UInt(bitPattern: $0) }
        #expect(first == second && pool.blockCount == 1)
        // Nested: a second block, both kept.
        pool.with(Float.self, count: 10) { _ in pool.with(Double.self, count: 10) { _ in } }
        #expect(pool.blockCount == 2)
    }
}
