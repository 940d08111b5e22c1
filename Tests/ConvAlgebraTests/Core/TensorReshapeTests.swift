import ConvAlgebra
import Testing
import _TestSupport

@Suite struct TensorReshapeTests {
    @Test func keepsTheScalarsInOrder() throws {
        let t = try Tensor<Double>(shape: [2, 6], scalars: (0..<12).map(Double.init))
        let r = try t.reshaped([3, 2, 2])
        #expect(r.shape.dims == [3, 2, 2] && r.scalars == t.scalars)
        #expect(try r.reshaped([12]).shape.dims == [12])
        #expect(try r.reshaped([2, 6]) == t)
    }

    @Test func minusOneIsInferred() throws {
        let t = try Tensor<Float>.zeros(shape: [4, 3, 8])
        #expect(try t.reshaped([4, -1]).shape.dims == [4, 24])
        #expect(try t.reshaped([-1, 2, 2]).shape.dims == [24, 2, 2])
        expectThrows(.shapeMismatch) { try t.reshaped([5, -1]) }
        expectThrows(.invalidArgument) { try t.reshaped([-1, -1]) }
    }

    @Test func elementCountIsChecked() throws {
        let t = try Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        expectThrows(.shapeMismatch) { try t.reshaped([4]) }
        expectThrows(.shapeMismatch) { try t.reshaped([2, 2, 2]) }
        expectThrows(.invalidArgument) { try t.reshaped([-2, -3]) }
        expectThrows(.overflow) { try t.reshaped([1 << 40, 1 << 40]) }
    }
}
