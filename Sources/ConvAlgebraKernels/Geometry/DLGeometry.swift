import ConvAlgebraCore
import ConvAlgebraBackends

/// PyTorch's conv / conv_transpose layers as ``ConvolutionGeometry`` values, for the benchmark suites:
/// a DL convolution is the geometry with tap step `+d` (cross-correlation), offset `−pad`, a channel axis
/// and groups (the design's table: the DSP primitives plus channels).
public enum DLGeometry {
    /// `conv{1,2,3}d`: output length `⌊(n + 2p − d·(K−1) − 1)/s⌋ + 1` per dimension.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when the kernel does not fit the padded input.
    public static func convolution(inChannels: Int, outChannels: Int, inputSize: [Int], kernelSize: [Int],
                                   stride: [Int], padding: [Int], dilation: [Int], groups: Int = 1) throws -> ConvolutionGeometry {
        var out = [Int]()
        for d in inputSize.indices {
            let span = dilation[d] * (kernelSize[d] - 1) + 1
            guard inputSize[d] + 2 * padding[d] >= span else {
                throw ConvAlgebraError.invalidArgument(
                    "the kernel span \(span) is larger than the padded input \(inputSize[d] + 2 * padding[d])")
            }
            out.append((inputSize[d] + 2 * padding[d] - span) / stride[d] + 1)
        }
        return try ConvolutionGeometry(inputSize: inputSize, outputSize: out, kernelSize: kernelSize, stride: stride,
                                       offset: padding.map { -$0 }, tapStep: dilation, inChannels: inChannels,
                                       outChannels: outChannels, groups: groups, hasChannelAxis: true)
    }

    /// `conv_transpose{1,2,3}d` as the transpose of the forward geometry from its output back to its input:
    /// output length `(n − 1)·s − 2p + d·(K−1) + output_padding + 1`. The forward convolution has
    /// `C_out` (of the transposed layer) input channels and `C_in` output channels, so PyTorch's
    /// conv_transpose weight `(C_in, C_out/G, K…)` is exactly its weight.
    public static func transposedConvolution(inChannels: Int, outChannels: Int, inputSize: [Int], kernelSize: [Int],
                                             stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int],
                                             groups: Int = 1) throws -> ConvolutionGeometry {
        let long = inputSize.indices.map { d in
            (inputSize[d] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernelSize[d] - 1) + outputPadding[d] + 1
        }
        guard long.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("the transposed convolution's output size \(long) is empty")
        }
        return try ConvolutionGeometry(inputSize: long, outputSize: inputSize, kernelSize: kernelSize, stride: stride,
                                       offset: padding.map { -$0 }, tapStep: dilation, inChannels: outChannels,
                                       outChannels: inChannels, groups: groups, hasChannelAxis: true)
    }

    /// The conventional FLOP count of one sample: `2 · C_out · Π L · C_in/G · Π K`.
    public static func nominalFlops(_ g: ConvolutionGeometry) -> Double {
        2 * Double(g.outChannels) * Double(g.outputPlane) * Double(g.inChannelsPerGroup) * Double(g.kernelPlane)
    }
}
