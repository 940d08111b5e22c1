/// The shape of one sample (or of a whole tensor): a list of non-negative extents, row-major.
///
/// The element count is computed once, with overflow checks, when the shape is made, so every
/// later allocation of `count` elements is known not to overflow.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    /// The extents, outermost first.
    public let dims: [Int]
    /// The product of the extents (1 for a scalar shape `[]`).
    public let count: Int

    /// Makes a shape, checking that every extent is non-negative and that the product fits in `Int`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` or ``ConvAlgebraError/overflow(_:)``.
    public init(_ dims: [Int]) throws {
        var count = 1
        for d in dims {
            guard d >= 0 else { throw ConvAlgebraError.invalidArgument("negative extent \(d) in shape \(dims)") }
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw ConvAlgebraError.overflow("the element count of shape \(dims) overflows") }
            count = p
        }
        self.dims = dims
        self.count = count
    }

    /// A 1-D shape of `n` elements.
    public init(length n: Int) throws { try self.init([n]) }

    /// The number of extents.
    public var rank: Int { dims.count }

    public var description: String { "(" + dims.map(String.init).joined(separator: ", ") + ")" }

    /// The shape written as a comma list, as the CLI spells it: `3,8,8`.
    public var commaList: String { dims.map(String.init).joined(separator: ",") }
}

/// Overflow-checked size arithmetic for the sizes that decide allocations.
package enum Checked {
    /// `a · b`, or an ``ConvAlgebraError/overflow(_:)`` naming `what`.
    @inlinable
    public static func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        guard !o else { throw ConvAlgebraError.overflow("\(what()) overflows (\(a) × \(b))") }
        return p
    }

    /// `a + b`, or an ``ConvAlgebraError/overflow(_:)`` naming `what`.
    @inlinable
    public static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (s, o) = a.addingReportingOverflow(b)
        guard !o else { throw ConvAlgebraError.overflow("\(what()) overflows (\(a) + \(b))") }
        return s
    }
}
