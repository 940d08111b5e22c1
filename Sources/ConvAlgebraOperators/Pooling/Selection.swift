import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// A 0/1 selection operator: each output copies one input element (or is 0).
///
/// ```
/// y[r] = x[σ(r)]        (y[r] = 0 where σ(r) = −1)
/// ```
/// Its matrix has at most one 1 per row. It is the Jacobian of max pooling at a given input
/// (``MaxPooling/jacobian(at:)``), `σ(r)` the arg-max of window `r`; its transpose,
/// ``SelectionTranspose``, routes each output back to the element it came from — max-unpooling, and
/// max pooling's gradient.
/// - Complexity: one copy per output; the sparse form has one entry per selected output.
public struct Selection<Scalar: BLASScalar>: StencilOperator, Equatable {
    public let domain: Shape
    public let codomain: Shape
    /// `σ(r)` for every output `r` (flat index into one input sample), or −1 for an output that is 0.
    public let sources: [Int32]

    /// A selection from flat source indices, one per output element.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `sources.count != codomain.count`;
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for an index outside `−1 ..< domain.count`.
    public init(domain: Shape, codomain: Shape, sources: [Int]) throws {
        guard sources.count == codomain.count else {
            throw ConvAlgebraError.shapeMismatch(
                "a selection onto \(codomain) needs \(codomain.count) source indices, got \(sources.count)")
        }
        guard domain.count <= Int(Int32.max) else { throw ConvAlgebraError.overflow("a selection domain exceeds 32-bit indices") }
        if let bad = sources.first(where: { $0 < -1 || $0 >= domain.count }) {
            throw ConvAlgebraError.invalidArgument("source index \(bad) is outside an input of \(domain.count) elements")
        }
        self.init(unchecked: domain, codomain, sources.map { Int32(truncatingIfNeeded: $0) })
    }

    package init(unchecked domain: Shape, _ codomain: Shape, _ sources: [Int32]) {
        self.domain = domain; self.codomain = codomain; self.sources = sources
    }

    public var transposed: SelectionTranspose<Scalar> { SelectionTranspose(base: self) }
    public var taps: [Scalar] { [] }

    /// Terms `(r, σ(r), −1, 1)`.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for (r, c) in sources.enumerated() where c >= 0 { body(r, Int(c), -1, 1) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (n, m) = (domain.count, codomain.count)
        sources.withUnsafeBufferPointer { s in
            forEachSample(batch, x, stride: n, y, stride: m) { xb, yb in
                for r in 0..<m { let c = Int(s[r]); yb[r] = c >= 0 ? xb[c] : 0 }
            }
        }
    }
}

/// The transpose of a ``Selection``: `x̃[j] = Σ_{r : σ(r) = j} y[r]` — routes each value back to its source.
///
/// At max pooling's arg-max this is the gradient routing of `max_pool` backward (overlapping windows
/// that chose the same element add up) and max-unpooling (PyTorch's `max_unpool`, which for
/// non-overlapping windows is the same map).
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: one add per selected output, plus zeroing the result.
public struct SelectionTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The selection this is the transpose of.
    public let base: Selection<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (m, n) = (base.codomain.count, base.domain.count)
        base.sources.withUnsafeBufferPointer { s in
            forEachSample(batch, x, stride: m, y, stride: n) { xb, yb in
                yb.update(repeating: 0, count: n)
                for r in 0..<m { let c = Int(s[r]); if c >= 0 { yb[c] += xb[r] } }
            }
        }
    }
}
