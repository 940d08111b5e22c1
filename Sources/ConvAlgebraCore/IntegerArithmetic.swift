/// Integer division rounded toward −∞ and +∞, and the greatest common divisor: the index arithmetic of every
/// stencil (`c = i·s + o + t·e` solved for `i` or `t`), in one place.
package enum IntegerArithmetic {
    /// `⌊a / b⌋` for any signs (Swift's `/` truncates toward zero); `b ≠ 0`.
    @inlinable @inline(__always)
    public static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// `⌈a / b⌉` for any signs; `b ≠ 0`.
    @inlinable @inline(__always)
    public static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

    /// `gcd(a, b)` for `a, b ≥ 0`, at least 1 (so it can divide).
    @inlinable
    public static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return max(x, 1)
    }
}
