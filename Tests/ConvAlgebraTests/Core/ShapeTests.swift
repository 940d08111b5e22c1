import ConvAlgebra
import Testing
import _TestSupport

@Suite struct ShapeTests {
    @Test func countIsTheProductOfTheExtents() throws {
        #expect(try Shape([]).count == 1)
        #expect(try Shape([3, 4, 5]).count == 60)
        #expect(try Shape([3, 0, 5]).count == 0)
        #expect(try Shape(length: 7).dims == [7])
        let s = try Shape([2, 3, 4])
        #expect(s.rank == 3 && s.commaList == "2,3,4")
        #expect(try Shape([2, 3]) == Shape([2, 3]) && (try Shape([2, 3])) != (try Shape([3, 2])))
    }

    @Test func overflowAndNegativeExtentsThrow() throws {
        expectThrows(.overflow) { try Shape([Int.max, 2]) }
        expectThrows(.overflow) { try Shape([1 << 32, 1 << 32]) }
        expectThrows(.invalidArgument) { try Shape([3, -1]) }
        expectThrows(.invalidArgument) { try Shape(length: -5) }
        // An overflowing product after a zero extent is still a valid (empty) shape.
        let empty = try Shape([0, Int.max, 2])
        #expect(empty.count == 0)
    }

    @Test func checkedArithmeticThrowsOnOverflow() throws {
        #expect(try Checked.multiply(1 << 20, 1 << 20, "x") == 1 << 40)
        #expect(try Checked.add(Int.max - 1, 1, "x") == Int.max)
        expectThrows(.overflow) { try Checked.multiply(Int.max, 2, "a size") }
        expectThrows(.overflow) { try Checked.multiply(Int.min, -1, "a size") }
        expectThrows(.overflow) { try Checked.add(Int.max, 1, "a size") }
        let error = expectThrows(.overflow) { try Checked.add(Int.max, 1, "the length") }
        if case let .overflow(message)? = error {
            #expect(message.contains("the length"))
        }
    }
}
