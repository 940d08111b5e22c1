import ConvAlgebra

// The tests build many layers from a shape and flat arrays (their reference loops work on arrays); these
// spell that as the library's one initialiser, from tensors, so the tests exercise exactly the public way.

extension ConvolutionLayer {
    init(inputShape: [Int], weightShape: [Int], weight: [Scalar], bias: [Scalar]? = nil, stride: [Int] = [1],
         padding: LayerPadding = .valid, dilation: [Int] = [1], groups: Int = 1, paddingMode: PaddingMode = .zeros) throws {
        try self.init(inputShape: inputShape, weight: Tensor(shape: weightShape, scalars: weight),
                      bias: try bias.map { try Tensor($0) }, stride: stride, padding: padding, dilation: dilation,
                      groups: groups, paddingMode: paddingMode)
    }
}

extension TransposedConvolutionLayer {
    init(inputShape: [Int], weightShape: [Int], weight: [Scalar], bias: [Scalar]? = nil, stride: [Int] = [1],
         padding: LayerPadding = .valid, outputPadding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1) throws {
        try self.init(inputShape: inputShape, weight: Tensor(shape: weightShape, scalars: weight),
                      bias: try bias.map { try Tensor($0) }, stride: stride, padding: padding,
                      outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
