import ConvAlgebra
import Testing
import _TestSupport

@Suite struct MemoryBudgetTests {
    @Test func checkComparesBytesWithTheLimit() throws {
        let b = MemoryBudget(bytes: 800)
        try b.check("100 doubles", count: 100, elementBytes: 8)
        let error = expectThrows(.exceedsMemoryBudget) { try b.check("101 doubles", count: 101, elementBytes: 8) }
        if case let .exceedsMemoryBudget(what, bytes, budget)? = error {
            #expect(what == "101 doubles" && bytes == 808 && budget == 800)
        }
        expectThrows(.overflow) { try MemoryBudget.unlimited.check("too many", count: Int.max, elementBytes: 2) }
        #expect(MemoryBudget(bytes: -5).bytes == 0)
    }

    @Test func defaultIsHalfThePhysicalMemory() {
        #expect(MemoryBudget.physicalMemory > 0)
        #expect(MemoryBudget.default.bytes == MemoryBudget.physicalMemory / 2)
        #expect(MemoryBudget.unlimited.bytes == Int.max)
    }

    @Test func denseMatricesAreCheckedBeforeAllocation() {
        expectThrows(.exceedsMemoryBudget) { try DenseMatrix<Double>(zeros: 1000, 1000, budget: MemoryBudget(bytes: 1000)) }
        // 2⁴⁰ doubles would crash the allocator; the default budget refuses them first.
        expectThrows(.exceedsMemoryBudget) { try DenseMatrix<Double>(zeros: 1 << 20, 1 << 20) }
        expectThrows(.overflow) { try DenseMatrix<Float>(zeros: Int.max, 2) }
    }
}
