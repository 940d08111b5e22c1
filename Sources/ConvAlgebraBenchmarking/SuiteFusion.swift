import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraPlanning
import ConvAlgebraIO

/// The fusion suite (docs/BENCHMARKS.md, suite F; suite v1's definitions are unchanged): the reference text's
/// fusion of nearest up-sampling ×2 and a 3×3 convolution — a decoder block — timed as the chain runs once
/// composed (`fused`: the ``Rewriter`` makes it one transposed convolution with the kernel `(1 1) * q` per axis)
/// and as the two operators applied in turn (`unfused`: `Composed(…, rewriting: false)`).
///
/// Both cases count the same useful FLOPs, the unfused convolution's conventional count
/// `2 · N · C_out · (2H)(2W) · C_in · 9`, so their GFLOP/s compare their times directly; the fused operator does
/// 4/9 of those multiply-adds (4 taps per output and channel pair, the sub-pixel phases of the 4×4 kernel).
public enum SuiteFusion {
    /// The batch, channels and spatial size of the decoder block: 8 × 64 × 32 × 32 → 8 × 64 × 64 × 64.
    public static let batch = 8, channels = 64, size = [32, 32]

    public static func cases() -> [BenchmarkCase] {
        let g = try! DLGeometry.convolution(inChannels: channels, outChannels: channels, inputSize: size.map { $0 * 2 },
                                            kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1])
        let flops = Double(batch) * DLGeometry.nominalFlops(g)
        let shape = [batch, channels] + size
        return [
            BenchmarkCase(id: "fu-up2-c3", suite: "F", op: "upsample+conv", inputShape: shape, flops: flops, forms: [.direct]) {
                .linear(try Composed<Float>([try upsampling(), try convolution()]))
            },
            BenchmarkCase(id: "fu-up2-c3-unfused", suite: "F", op: "upsample+conv", inputShape: shape, flops: flops, forms: [.direct]) {
                .linear(try Composed<Float>([try upsampling(), try convolution()], rewriting: false))
            },
        ]
    }

    /// Nearest up-sampling ×2 of the block's input.
    static func upsampling() throws -> NearestUpsampling<Float> {
        try NearestUpsampling<Float>(inputShape: [channels] + size, scale: [2, 2])
    }

    /// The 3×3 convolution, padding 1, on the up-sampled plane (PyTorch's `conv2d`).
    static func convolution() throws -> Convolution<Float> {
        try ConvolutionLayer<Float>(
            inputShape: [channels] + size.map { $0 * 2 },
            weight: try Tensor(shape: [channels, channels, 3, 3], scalars: BenchmarkData.uniform(channels * channels * 9, seed: 5)),
            padding: .symmetric([1])).convolution
    }
}
