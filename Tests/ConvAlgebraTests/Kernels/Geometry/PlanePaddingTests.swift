@testable import ConvAlgebra
import Testing

/// The one plane padder: zero and circular borders against an index-by-index construction, and the fold as
/// the padding's transpose (`⟨P x, y⟩ = ⟨x, Pᵀ y⟩`).
@Suite struct PlanePaddingTests {
    /// `x̃[j] = x[(j − lo) mod n]` (circular) or `x[j − lo]` inside, 0 outside (zero), per dimension.
    static func expected(_ x: [Double], sizes: [Int], lo: [Int], size: [Int], circular: Bool) -> [Double] {
        let strides = Odometer.rowMajorStrides(sizes)
        return Odometer.indices(size).map { j in
            var flat = 0
            for d in 0..<sizes.count {
                var c = j[d] - lo[d]
                if circular { c = ((c % sizes[d]) + sizes[d]) % sizes[d] } else if c < 0 || c >= sizes[d] { return 0 }
                flat += c * strides[d]
            }
            return x[flat]
        }
    }

    static let cases: [(sizes: [Int], lo: [Int], size: [Int])] = [
        ([7], [2], [12]), ([5], [0], [5]), ([3, 4], [1, 2], [6, 9]), ([2, 3, 4], [1, 0, 3], [4, 5, 11]),
        ([4, 4], [5, 1], [14, 5]),  // wraps more than once (circular), a whole zero band (zero)
    ]

    @Test(arguments: [false, true])
    func padsAndFolds(circular: Bool) {
        for (sizes, lo, size) in Self.cases {
            let n = sizes.reduce(1, *), np = size.reduce(1, *)
            let x = (0..<n).map { Double($0 % 7) - 2.5 }
            let p = PlanePadding(sizes: sizes, lo: lo, size: size, boundary: circular ? .circular : .zero)
            #expect(p.paddedCount == np)
            var padded = [Double](repeating: .nan, count: np)
            p.pad(x, into: &padded)
            #expect(padded == Self.expected(x, sizes: sizes, lo: lo, size: size, circular: circular), "\(sizes) \(lo) \(size)")
            let y = (0..<np).map { Double(($0 * 5) % 11) - 5 }
            var folded = [Double](repeating: .nan, count: n)
            p.fold(y, into: &folded, count: n)
            let lhs = zip(padded, y).reduce(0) { $0 + $1.0 * $1.1 }, rhs = zip(x, folded).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(lhs - rhs) <= 1e-9, "fold is the transpose on \(sizes) \(lo) \(size)")
        }
    }
}
