import ConvAlgebra
import Testing

@Suite struct OdometerTests {
    @Test func stepsRowMajor() {
        var o = Odometer([2, 3]), seen = [[Int]]()
        repeat { seen.append(o.index) } while o.next()
        #expect(seen == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])
        #expect(o.index == [0, 0])
        #expect(Odometer.indices([]) == [[]])
        #expect(Odometer.indices([2, 0]).isEmpty)
        #expect(Odometer.sums([2, 3]) { d, i in d == 0 ? 10 * i : i } == [0, 1, 2, 10, 11, 12])
        #expect(Odometer.rowMajorStrides([4, 3, 2]) == [6, 2, 1])
    }
}
