import ConvAlgebra
import Testing

@Suite struct TensorDescriptionTests {
    @Test func smallTensorsPrintNestedWithShapeAndDtype() throws {
        #expect(try Tensor<Double>([[1, 2], [3, 4]]).description == "tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float64)")
        #expect(try Tensor<Float>([0.5, -0.25]).description == "tensor([0.5, -0.25], shape=(2), dtype=float32)")
        #expect("\(try Tensor<Float>.zeros(shape: [1, 2, 1]))" == "tensor([[[0.0], [0.0]]], shape=(1, 2, 1), dtype=float32)")
        #expect(try Tensor<Double>.zeros(shape: [2, 0]).description == "tensor([[], []], shape=(2, 0), dtype=float64)")
    }

    /// A large tensor prints its first and last three scalars around an ellipsis: one short line.
    @Test func largeTensorsPrintTheirEnds() throws {
        let t = try Tensor<Float>(shape: [4, 3, 32, 32], scalars: (0..<12288).map { Float($0) })
        #expect(t.description == "tensor([0.0, 1.0, 2.0, …, 12285.0, 12286.0, 12287.0], shape=(4, 3, 32, 32), dtype=float32)")
        #expect(t.description.count < 120)
    }
}
