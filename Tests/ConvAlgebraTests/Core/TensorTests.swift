import ConvAlgebra
import Testing
import _TestSupport

@Suite struct TensorTests {
    @Test func scalarsMustFillTheShape() throws {
        let t = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape.dims == [2, 3] && t.scalars.count == 6)
        expectThrows(.shapeMismatch) { try Tensor<Double>(shape: [2, 3], scalars: [1, 2]) }
        expectThrows(.invalidArgument) { try Tensor<Float>(shape: [-2], scalars: []) }
        let z = Tensor<Float>(shape: try Shape([4]), repeating: 2)
        #expect(z.scalars == [2, 2, 2, 2])
    }

    @Test func batchCountReadsTheLeadingExtents() throws {
        let t = Tensor<Double>(shape: try Shape([2, 3, 4, 5]))
        #expect(try t.batchCount(sampleShape: Shape([4, 5])) == 6)
        #expect(try t.batchCount(sampleShape: Shape([2, 3, 4, 5])) == 1)
        #expect(try t.batchCount(sampleShape: Shape([5])) == 24)
        expectThrows(.shapeMismatch) { try t.batchCount(sampleShape: Shape([4])) }
        expectThrows(.shapeMismatch) { try t.batchCount(sampleShape: Shape([1, 2, 3, 4, 5])) }
    }
}
