@testable import ConvAlgebra
import Testing
import _TestSupport

/// The nearest up-sampling row kernel and its transpose's box-sum kernel against the transposed convolution
/// (and convolution) the operator is built as.
@Suite struct NearestUpsamplingKernelsTests {
    static let sizes: [([Int], [Int])] = [
        ([37], [2]), ([13], [3]), ([1], [4]), ([9, 23], [2]), ([5, 11], [3, 2]), ([6, 7], [1, 2]),
        ([3, 4, 21], [2]), ([2, 3, 5], [3, 1, 2]),
    ]

    func check<S: BLASScalar>(_ n: [Int], _ k: [Int], _: S.Type, batch: Int = 2, channels: Int = 3, seed: UInt64) throws {
        let op = try Upsampling.nearest(inputShape: [channels] + n, scale: k, as: S.self)
        var rng = SplitMix64(seed: seed)
        let x: Tensor<S> = try randomTensor([batch] + op.domain.dims, using: &rng)
        let fast = try op.apply(x, form: .direct)
        var generic = [S](repeating: .nan, count: fast.scalars.count)
        x.scalars.withUnsafeBufferPointer { xp in
            generic.withUnsafeMutableBufferPointer { yp in op.convolution.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: batch) }
        }
        let same = fast.scalars == generic
        #expect(same, "\(n) ×\(k): the row kernel differs from the polyphase transposed convolution")

        let dy: Tensor<S> = try randomTensor([batch] + op.codomain.dims, using: &rng)
        let box = try op.transposed.apply(dy, form: .direct)
        var reference = [S](repeating: .nan, count: box.scalars.count)
        dy.scalars.withUnsafeBufferPointer { yp in
            reference.withUnsafeMutableBufferPointer { xp in
                op.convolution.transposed.applyUnchecked(yp.baseAddress!, xp.baseAddress!, batch: batch)
            }
        }
        let error = poolMaxError(box.scalars, reference)
        #expect(error <= (S.self == Float.self ? 1e-6 : 1e-14),
                "\(n) ×\(k): the box-sum kernel differs from the convolution")
    }

    @Test(arguments: sizes.indices)
    func rowKernelsMatchTheConvolutions(_ i: Int) throws {
        let (n, k) = Self.sizes[i]
        try check(n, k, Float.self, seed: UInt64(i))
        try check(n, k, Double.self, seed: UInt64(i) + 50)
    }

    /// Outputs above ``StreamingStore/threshold`` are written with streaming copies.
    @Test func streamsLargeOutputs() throws {
        try check([33, 31], [2], Float.self, batch: 3, channels: 97, seed: 9)      // 3·97·66·62 floats > 4 MiB
        try check([17, 30], [2, 3], Double.self, batch: 2, channels: 61, seed: 10)
    }
}
