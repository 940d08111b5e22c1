@testable import ConvAlgebra
import Testing
import _TestSupport

/// Average pooling's transpose by output rows (``PoolingKernels/windowScatter(_:_:planes:_:_:)``) against the CSR
/// scatter it replaces: bit for bit when windows do not overlap along a row, within rounding when they do;
/// every element written (NaN-filled outputs).
@Suite struct PoolingScatterKernelsTests {
    /// (spatial input, kernel, stride, padding, ceil, count_include_pad, divisor override)
    typealias Case = (n: [Int], k: [Int], s: [Int], p: [Int], ceil: Bool, include: Bool, divisor: Int?)
    static let cases: [Case] = [
        ([37], [3], [1], [1], false, true, nil),
        ([40], [2], [2], [0], false, true, nil),
        ([41], [3], [2], [1], true, false, nil),
        ([29], [2], [3], [1], true, true, 3),
        ([9, 34], [2, 2], [2, 2], [0, 0], false, true, nil),
        ([9, 35], [3, 3], [2, 2], [1, 1], true, false, nil),
        ([8, 33], [3, 2], [1, 2], [1, 1], true, true, nil),
        ([6, 50], [3, 5], [3, 1], [1, 2], false, true, 7),
        ([3, 5, 29], [2, 3, 3], [2, 2, 2], [1, 1, 1], true, true, nil),
        ([4, 6, 26], [2, 2, 2], [2, 2, 2], [0, 0, 0], false, false, nil),
    ]

    func check<S: BLASScalar>(_ c: Case, _: S.Type, seed: UInt64, batch: Int = 2, channels: Int = 3) throws {
        let op = try AveragePooling<S>(inputShape: [channels] + c.n, kernelSize: c.k, stride: c.s, padding: c.p,
                                       ceilMode: c.ceil, countIncludePad: c.include, divisorOverride: c.divisor)
        var rng = SplitMix64(seed: seed)
        let dy: Tensor<S> = try randomTensor([batch] + op.codomain.dims, using: &rng)
        var fast = nanFilled(count: batch * op.domain.count) as [S]
        var csr = nanFilled(count: batch * op.domain.count) as [S]
        dy.scalars.withUnsafeBufferPointer { yp in
            fast.withUnsafeMutableBufferPointer { op.transposed.applyUnchecked(yp.baseAddress!, $0.baseAddress!, batch: batch) }
            csr.withUnsafeMutableBufferPointer { PoolingKernels.scatter(op.plane, planes: batch * channels, yp.baseAddress!, $0.baseAddress!) }
        }
        let overlapping = c.k.last! > c.s.last!      // along a row
        if overlapping {
            let error = poolMaxError(fast, csr)
            #expect(error <= (S.self == Float.self ? 1e-6 : 1e-14), "case \(c): the row scatter differs from the CSR scatter")
        } else {
            let same = fast.withUnsafeBytes { u in csr.withUnsafeBytes { v in u.elementsEqual(v) } }
            #expect(same, "case \(c): the row scatter differs from the CSR scatter")
        }
    }

    @Test(arguments: cases.indices)
    func rowScatterMatchesCSRScatter(_ i: Int) throws {
        try check(Self.cases[i], Float.self, seed: UInt64(i))
        try check(Self.cases[i], Double.self, seed: UInt64(i) + 100)
        let c = Self.cases[i]
        try expectPoolFormsAgree(AveragePooling<Float>(inputShape: [2] + c.n, kernelSize: c.k, stride: c.s, padding: c.p,
                                                       ceilMode: c.ceil, countIncludePad: c.include, divisorOverride: c.divisor),
                                 seed: UInt64(i))
    }
}
