import ConvAlgebra
import Testing
import _TestSupport

@Suite struct TensorNestedArraysTests {
    @Test func nestingDepthIsTheRank() throws {
        let v = try Tensor<Double>([1, 2, 3])
        #expect(v.shape.dims == [3] && v.scalars == [1, 2, 3])
        let m = try Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape.dims == [2, 3] && m.scalars == [1, 2, 3, 4, 5, 6])
        let t = try Tensor<Float>([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]])
        #expect(t.shape.dims == [3, 2, 2] && t.scalars == (1...12).map(Float.init))
    }

    /// A 2-D convolution's weight (4 levels) and a 3-D one's (5 levels) are row-major, as `torch.tensor` makes them.
    @Test func convolutionWeightsUpToFiveLevels() throws {
        let w4 = try Tensor<Double>([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]])
        #expect(w4.shape.dims == [1, 2, 2, 2] && w4.scalars == (1...8).map(Double.init))
        let w5 = try Tensor<Float>([[[[[1, 2]], [[3, 4]]]], [[[[5, 6]], [[7, 8]]]]])
        #expect(w5.shape.dims == [2, 1, 2, 1, 2] && w5.scalars == (1...8).map(Float.init))
        // The weight builds a layer directly.
        let layer = try ConvolutionLayer(inputShape: [2, 3, 3], weight: w4, bias: try Tensor([0.5]))
        #expect(layer.outputShape == [1, 2, 2])
    }

    @Test func raggedInputThrowsNamingTheElement() throws {
        expectThrows(.shapeMismatch) { try Tensor<Double>([[1, 2], [3]]) }
        expectThrows(.shapeMismatch) { try Tensor<Double>([[[1], [2]], [[3]]]) }
        expectThrows(.shapeMismatch) { try Tensor<Float>([[[[1, 2]]], [[[3, 4], [5, 6]]]]) }
        expectThrows(.shapeMismatch) { try Tensor<Float>([[[[[1]]]], [[[[1], [2]]]]]) }
        do {
            _ = try Tensor<Double>([[1, 2], [3, 4], [5]])
            Issue.record("a ragged input was accepted")
        } catch let e as ConvAlgebraError {
            #expect(e.description.contains("element 2 has shape (1)") && e.description.contains("(2)"), "\(e)")
        }
    }

    @Test func emptyListsHaveExtentZero() throws {
        #expect(try Tensor<Double>([[Double]]()).shape.dims == [0, 0])
        #expect(try Tensor<Double>([[], []] as [[Double]]).shape.dims == [2, 0])
        #expect(try Tensor<Double>([Double]()).shape.dims == [0])
    }
}
