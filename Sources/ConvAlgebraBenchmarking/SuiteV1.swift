import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraPlanning
import ConvAlgebraIO

/// Benchmark suite v1 (`docs/BENCHMARKS.md`, whose case ids and shapes `BenchmarkDocsTests` checks against these): float32, NCHW / NCL, both cores.
///
/// - A: DL layers in the direct form (conv, conv_transpose, pools, up-sampling).
/// - B: 1-D DSP convolutions (`numpy.convolve` semantics) in the direct form.
/// - C: the matrix-vs-direct crossover study: one sample's operator applied to a batch
///   `B ∈ {1, 16, 256, 4096}` in the direct, dense, sparse and auto forms.
/// Weights are deterministic pseudo-random numbers in `[−1, 1)`.
public enum SuiteV1 {
    /// The batch sizes of suite C.
    public static let matrixBatches = [1, 16, 256, 4096]

    /// Every case, A then B then C.
    public static func cases() -> [BenchmarkCase] { suiteA() + suiteB() + suiteC() }

    // MARK: - A. DL layers

    public static func suiteA() -> [BenchmarkCase] {
        func conv(_ id: String, n: Int, cin: Int, cout: Int, size: [Int], k: Int, s: Int, p: Int, d: Int = 1, groups: Int = 1) -> BenchmarkCase {
            let r = size.count
            let g = try! DLGeometry.convolution(inChannels: cin, outChannels: cout, inputSize: size,
                                                kernelSize: Array(repeating: k, count: r), stride: Array(repeating: s, count: r),
                                                padding: Array(repeating: p, count: r), dilation: Array(repeating: d, count: r),
                                                groups: groups)
            return BenchmarkCase(id: id, suite: "A", op: "conv", inputShape: [n, cin] + size,
                                 flops: Double(n) * DLGeometry.nominalFlops(g), forms: [.direct]) {
                .linear(try Convolution(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 1)))
            }
        }
        func convT(_ id: String, n: Int, cin: Int, cout: Int, size: [Int], k: Int, s: Int, p: Int, op: Int) -> BenchmarkCase {
            let r = size.count
            let g = try! DLGeometry.transposedConvolution(
                inChannels: cin, outChannels: cout, inputSize: size, kernelSize: Array(repeating: k, count: r),
                stride: Array(repeating: s, count: r), padding: Array(repeating: p, count: r),
                outputPadding: Array(repeating: op, count: r), dilation: Array(repeating: 1, count: r))
            return BenchmarkCase(id: id, suite: "A", op: "conv-transpose", inputShape: [n, cin] + size,
                                 flops: Double(n) * DLGeometry.nominalFlops(g), forms: [.direct]) {
                .linear(try TransposedConvolution(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 2)))
            }
        }
        let pooled = 64.0 * 56 * 56 * 8
        return [
            conv("c1d-tcn", n: 32, cin: 64, cout: 64, size: [1024], k: 3, s: 1, p: 1),
            conv("c1d-dil", n: 32, cin: 64, cout: 64, size: [1024], k: 3, s: 1, p: 4, d: 4),
            conv("c2d-r1", n: 8, cin: 64, cout: 64, size: [56, 56], k: 3, s: 1, p: 1),
            conv("c2d-s2", n: 8, cin: 64, cout: 128, size: [56, 56], k: 3, s: 2, p: 1),
            conv("c2d-1x1", n: 8, cin: 256, cout: 64, size: [56, 56], k: 1, s: 1, p: 0),
            conv("c2d-dw", n: 8, cin: 128, cout: 128, size: [56, 56], k: 3, s: 1, p: 1, groups: 128),
            convT("ct2d-dcgan", n: 8, cin: 128, cout: 64, size: [28, 28], k: 4, s: 2, p: 1, op: 0),
            convT("ct2d-s2", n: 8, cin: 64, cout: 32, size: [56, 56], k: 3, s: 2, p: 1, op: 1),
            BenchmarkCase(id: "mp2d", suite: "A", op: "max-pool", inputShape: [8, 64, 112, 112],
                          flops: pooled * 9, forms: [.direct]) {
                .maxPool(try MaxPooling(inputShape: [64, 112, 112], kernelSize: [3, 3], stride: [2, 2], padding: [1, 1]))
            },
            BenchmarkCase(id: "ap2d", suite: "A", op: "avg-pool", inputShape: [8, 64, 112, 112],
                          flops: pooled * 4, forms: [.direct]) {
                .linear(try AveragePooling<Float>(inputShape: [64, 112, 112], kernelSize: [2, 2], stride: [2, 2], padding: [0, 0]))
            },
            BenchmarkCase(id: "up-nn", suite: "A", op: "upsample", inputShape: [8, 64, 56, 56],
                          flops: pooled * 4, forms: [.direct]) {
                .linear(try Upsampling.nearest(inputShape: [64, 56, 56], scale: [2], as: Float.self))
            },
            BenchmarkCase(id: "up-lin", suite: "A", op: "upsample", inputShape: [8, 64, 56, 56],
                          flops: pooled * 4 * 2 * 4, forms: [.direct]) {
                .linear(try Upsampling.linear(inputShape: [64, 56, 56], scale: [2], as: Float.self))
            },
        ]
    }

    // MARK: - B. DSP 1-D

    public static func suiteB() -> [BenchmarkCase] {
        func dsp(_ id: String, batch: Int, n: Int, K: Int, mode: ConvolutionMode, stride: Int = 1, dilation: Int = 1,
                 transposed: Bool = false) -> BenchmarkCase {
            let g = try! ConvolutionGeometry.dsp(kernelLength: K, inputLength: n, mode: mode, stride: stride, dilation: dilation)
            let shape = transposed ? [batch, g.outputPlane] : [batch, n]
            return BenchmarkCase(id: id, suite: "B", op: "convolve", inputShape: shape,
                                 flops: 2 * Double(batch) * Double(g.outputPlane) * Double(K), forms: [.direct]) {
                let c = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(K, seed: 3))
                return .linear(transposed ? c.anyTransposed : c)
            }
        }
        return [
            dsp("dsp-same", batch: 256, n: 4096, K: 9, mode: .same),
            dsp("dsp-long", batch: 16, n: 65536, K: 255, mode: .full),
            dsp("dsp-strided", batch: 256, n: 4096, K: 9, mode: .same, stride: 2),
            dsp("dsp-dil", batch: 256, n: 4096, K: 9, mode: .same, dilation: 4),
            dsp("dsp-tconv", batch: 256, n: 4096, K: 9, mode: .same, stride: 2, transposed: true),
        ]
    }

    // MARK: - C. Matrix vs direct forms

    /// The suite-C operators of one sample: id, CLI op, geometry, whether the operator is the transpose.
    public static func matrixOperators() -> [(id: String, op: String, geometry: ConvolutionGeometry, transposed: Bool)] {
        func c2(_ c: Int, _ n: Int, pad: Int) -> ConvolutionGeometry {
            try! DLGeometry.convolution(inChannels: c, outChannels: c, inputSize: [n, n], kernelSize: [3, 3],
                                        stride: [1, 1], padding: [pad, pad], dilation: [1, 1])
        }
        return [
            ("mx-1d", "convolve", try! .dsp(kernelLength: 9, inputLength: 1024, mode: .same), false),
            ("mx-1d-s2", "convolve", try! .dsp(kernelLength: 9, inputLength: 1024, mode: .same, stride: 2), false),
            ("mx-2d", "conv", c2(1, 32, pad: 1), false),
            ("mx-2d-mc", "conv", c2(16, 16, pad: 1), false),
            ("mx-ct", "conv-transpose", try! DLGeometry.transposedConvolution(
                inChannels: 8, outChannels: 8, inputSize: [16, 16], kernelSize: [4, 4], stride: [2, 2], padding: [1, 1],
                outputPadding: [0, 0], dilation: [1, 1]), true),
            ("mx-small-mc", "conv", c2(64, 4, pad: 1), false),
            ("mx-1d-long", "convolve", try! .dsp(kernelLength: 129, inputLength: 256, mode: .same), false),
            ("mx-fc", "conv", c2(32, 3, pad: 0), false),
        ]
    }

    public static func suiteC(batches: [Int] = matrixBatches) -> [BenchmarkCase] {
        var cases = [BenchmarkCase]()
        for (id, op, g, transposed) in matrixOperators() {
            let nnz = Double(g.termCount)
            let domain = transposed ? g.codomain : g.domain
            for b in batches {
                cases.append(BenchmarkCase(id: id, suite: "C", op: op, inputShape: [b] + domain.dims, flops: 2 * Double(b) * nnz,
                                           forms: [.direct, .dense, .sparse, .auto]) {
                    let c = try Convolution<Float>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 4))
                    return .linear(transposed ? c.anyTransposed : c)
                })
            }
        }
        return cases
    }
}

/// Deterministic data for benchmarks.
public enum BenchmarkData {
    /// `count` numbers in `[−1, 1)` from a seeded SplitMix64.
    public static func uniform<S: BLASScalar>(_ count: Int, seed: UInt64) -> [S] {
        var generator = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        return generator.uniform(count)
    }
}

extension BenchmarkData {
    /// The useful FLOPs of applying `op` to `batch` samples: a convolution's conventional count
    /// (`2 · C_out · Π L · C_in/G · Π K` per sample), otherwise two per term of the operator's stencil
    /// (one multiply-add per stored entry), or two per stored entry of its sparse matrix.
    public static func usefulFlops<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int) -> Double {
        if let c = op as? Convolution<S> { return Double(batch) * DLGeometry.nominalFlops(c.geometry) }
        if let t = op as? TransposedConvolution<S> { return Double(batch) * DLGeometry.nominalFlops(t.geometry) }
        if let s = op as? any StencilOperator { return 2 * Double(batch) * Double(s.termCount) }
        if let m = try? op.sparse(budget: .default) { return 2 * Double(batch) * Double(m.nonzeroCount) }
        return 0
    }
}
