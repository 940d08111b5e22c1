/// A multi-index stepping row-major through `extents` (the last dimension fastest): the one odometer every
/// geometry table (index maps, row tables, padded-row starts, phase lists) is built with.
///
/// ```
/// var o = Odometer([2, 3])
/// repeat { use(o.index) } while o.next()     // (0,0) (0,1) (0,2) (1,0) (1,1) (1,2)
/// ```
package struct Odometer: Sendable {
    public let extents: [Int]
    /// The current multi-index.
    public var index: [Int]

    public init(_ extents: [Int]) {
        self.extents = extents
        index = [Int](repeating: 0, count: extents.count)
    }

    /// The number of multi-indices, `∏ extents` (1 for rank 0).
    public var count: Int { extents.reduce(1, *) }

    /// Steps to the next multi-index; false (and back at all zeros) after the last one.
    @inlinable
    public mutating func next() -> Bool {
        var d = extents.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < extents[d] { return true }
            index[d] = 0
            d -= 1
        }
        return false
    }

    /// Every multi-index of `extents`, row-major.
    public static func indices(_ extents: [Int]) -> [[Int]] {
        var o = Odometer(extents), out = [[Int]]()
        let n = o.count
        out.reserveCapacity(max(n, 0))
        for _ in 0..<max(n, 0) { out.append(o.index); _ = o.next() }
        return out
    }

    /// `Σ_d f(d, index_d)` for every multi-index of `extents`, row-major (flat offsets of a separable map).
    public static func sums(_ extents: [Int], _ f: (Int, Int) -> Int) -> [Int] {
        var o = Odometer(extents), out = [Int]()
        let n = o.count
        out.reserveCapacity(max(n, 0))
        for _ in 0..<max(n, 0) {
            var s = 0
            for d in 0..<extents.count { s += f(d, o.index[d]) }
            out.append(s)
            _ = o.next()
        }
        return out
    }

    /// Row-major strides of `extents`: `strides[d] = ∏_{d' > d} extents[d']`.
    public static func rowMajorStrides(_ extents: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: extents.count)
        for d in Swift.stride(from: extents.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * extents[d + 1] }
        return s
    }
}
