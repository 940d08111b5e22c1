import ConvAlgebra
import Foundation
import Testing

/// The cases written by `scripts/make_analysis_fixtures.py`, read through `Bundle.module`.
/// A missing fixture fails the test (never a skip).
enum AnalysisFixtures {
    static func tensor<S: BLASScalar>(_ name: String, _ part: String, as _: S.Type = S.self) throws -> Tensor<S> {
        let tag = S.self == Float.self ? "f4" : "f8"
        let file = "\(name).\(tag).\(part)"
        let url = try #require(Bundle.module.url(forResource: file, withExtension: "npy", subdirectory: "Fixtures/analysis"),
                               "missing fixture \(file).npy: run scripts/make_analysis_fixtures.py")
        return try NPY.read(path: url.path).tensor(of: S.self, what: file)
    }

    static func kernel<S: BLASScalar>(_ name: String, as _: S.Type = S.self) throws -> [S] {
        try tensor(name, "kernel", as: S.self).scalars
    }

    static func matrix<S: BLASScalar>(_ name: String, as _: S.Type = S.self) throws -> DenseMatrix<S> {
        let t = try tensor(name, "matrix", as: S.self)
        return try DenseMatrix(rows: t.shape.dims[0], columns: t.shape.dims[1], entries: t.scalars)
    }

    static func singularValues<S: BLASScalar>(_ name: String, as _: S.Type = S.self) throws -> [S] {
        try tensor(name, "sv", as: S.self).scalars
    }

    /// PyTorch conv2d geometry (cross-correlation, symmetric padding `p`) on a square input.
    static func conv2d(size n: Int, channels: (Int, Int), kernel K: Int, stride s: Int, padding p: Int,
                       circular: Bool, groups: Int = 1, dilation d: Int = 1) throws -> ConvolutionGeometry {
        let out = circular ? (n + 2 * p - d * (K - 1) - 1) / s + 1 : (n + 2 * p - d * (K - 1) - 1) / s + 1
        return try ConvolutionGeometry(inputSize: [n, n], outputSize: [out, out], kernelSize: [K, K], stride: [s, s],
                                       offset: [-p, -p], tapStep: [d, d], boundary: circular ? .circular : .zero,
                                       inChannels: channels.0, outChannels: channels.1, groups: groups, hasChannelAxis: true)
    }

    /// The operator of each fixture case, built with the library from the fixture's kernel.
    static func op<S: BLASScalar>(_ name: String, as _: S.Type = S.self) throws -> any LinearOperator<S> {
        let q = try kernel(name, as: S.self)
        switch name {
        case "convolve_full_n10_K4": return try Convolution(kernel: q, inputLength: 10, mode: .full)
        case "convolve_same_n12_K3": return try Convolution(kernel: q, inputLength: 12, mode: .same)
        case "convolve_valid_n12_K5": return try Convolution(kernel: q, inputLength: 12, mode: .valid)
        case "convolve_same_s2_n12_K3": return try Convolution(kernel: q, inputLength: 12, mode: .same, stride: 2)
        case "convolve_same_d2_n12_K3": return try Convolution(kernel: q, inputLength: 12, mode: .same, dilation: 2)
        case "convolve_circular_n10_K3": return try Convolution(kernel: q, inputLength: 10, mode: .circular)
        case "tconv_full_s2_n8_K3": return try TransposedConvolution(kernel: q, stride: 2, inputLength: 8, mode: .full)
        case "downsample_k3_p1_n10": return try Downsample<S>(factor: 3, phase: 1, inputLength: 10)
        case "conv2d_c3c4_6x6_k3_p1_zero":
            return try Convolution(geometry: conv2d(size: 6, channels: (3, 4), kernel: 3, stride: 1, padding: 1, circular: false), taps: q)
        case "conv2d_c3c4_6x6_k3_p1_circular":
            return try Convolution(geometry: conv2d(size: 6, channels: (3, 4), kernel: 3, stride: 1, padding: 1, circular: true), taps: q)
        case "conv2d_c3c4_6x6_k3_s2_p1_zero":
            return try Convolution(geometry: conv2d(size: 6, channels: (3, 4), kernel: 3, stride: 2, padding: 1, circular: false), taps: q)
        case "conv2d_c4c4_g2_5x5_k3_p1_zero":
            return try Convolution(geometry: conv2d(size: 5, channels: (4, 4), kernel: 3, stride: 1, padding: 1, circular: false, groups: 2), taps: q)
        default:
            Issue.record("unknown fixture case \(name)")
            throw ConvAlgebraError.invalidArgument("unknown fixture case \(name)")
        }
    }

    static let cases = [
        "convolve_full_n10_K4", "convolve_same_n12_K3", "convolve_valid_n12_K5", "convolve_same_s2_n12_K3",
        "convolve_same_d2_n12_K3", "convolve_circular_n10_K3", "tconv_full_s2_n8_K3", "downsample_k3_p1_n10",
        "conv2d_c3c4_6x6_k3_p1_zero", "conv2d_c3c4_6x6_k3_p1_circular", "conv2d_c3c4_6x6_k3_s2_p1_zero",
        "conv2d_c4c4_g2_5x5_k3_p1_zero",
    ]

    /// Deterministic pseudo-random values in [−1, 1) (SplitMix64).
    static func random<S: BLASScalar>(_ count: Int, seed: UInt64, as _: S.Type = S.self) -> [S] {
        var generator = SplitMix64(seed: seed)
        return generator.uniform(count)
    }

    static func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        let top = Swift.max(b.first ?? 0, .leastNormalMagnitude)
        return zip(a, b).map { abs($0 - $1) / top }.max() ?? 0
    }
}
