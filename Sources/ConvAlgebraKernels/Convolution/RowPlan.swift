import ConvAlgebraCore
import ConvAlgebraBackends

/// A zero-boundary ``ConvolutionGeometry`` split into rows: the last dimension, where the fast kernels
/// run contiguous (SIMD) loops, and the outer dimensions, flattened into row indices.
///
/// Along the last dimension output `i` and tap `t` read `c = i·s + o + t·e`; over the outer
/// dimensions a table maps (outer output row `P`, outer tap `T`) to the outer input row it reads, or
/// −1 where that row is padding. Every fast kernel (row stencil, im2col, col2im, polyphase transpose)
/// is a loop over this table and a contiguous loop along the row, so no per-element index map is read.
package struct RowPlan: Sendable {
    /// Last dimension: input length, output length, taps, stride, offset, tap step.
    package let n: Int, m: Int, k: Int, s: Int, o: Int, e: Int
    /// Outer output rows, outer input rows, outer taps.
    package let outerOutputs: Int, outerInputs: Int, outerTaps: Int
    /// `forwardRows[P·outerTaps + T]`: the outer input row read by outer tap `T` at outer output row `P`, or −1.
    package let forwardRows: [Int32]
    /// For each last-dimension tap `t`: outputs `firstValid[t] ... lastValid[t]` read inside the row (empty when first > last).
    package let firstValid: [Int], lastValid: [Int]
    /// Outputs `interiorLow ... interiorHigh` read inside the row for every tap.
    package let interiorLow: Int, interiorHigh: Int

    package init(_ g: ConvolutionGeometry) {
        let r = g.rank
        (n, m, k, s, o, e) = g.dimension(r - 1)
        outerOutputs = m == 0 ? 0 : g.outputPlane / m
        outerInputs = n == 0 ? 0 : g.inputPlane / n
        outerTaps = g.kernelPlane / k
        let outer = Array(0..<(r - 1))
        forwardRows = ConvolutionGeometry.indexTable(
            extents: outer.map { g.outputSize[$0] }, taps: outer.map { g.kernelSize[$0] },
            targets: outer.map { g.inputSize[$0] }) { d, i, t in
                let c = i * g.stride[d] + g.offset[d] + t * g.tapStep[d]
                return c >= 0 && c < g.inputSize[d] ? c : -1
            }
        var lo = [Int](), hi = [Int]()
        for t in 0..<k {
            let base = o + t * e
            lo.append(max(0, IntegerArithmetic.ceilDiv(-base, s)))
            hi.append(min(m - 1, IntegerArithmetic.floorDiv(n - 1 - base, s)))
        }
        firstValid = lo; lastValid = hi
        interiorLow = lo.max() ?? 0
        interiorHigh = hi.min() ?? -1
    }

    /// The zeros to add before and after a row so that every output's taps read inside it: the row reads
    /// `c` from `o + min(0, (k−1)·e)` to `(m−1)·s + o + max(0, (k−1)·e)`.
    package var rowPadding: (left: Int, right: Int) {
        guard m > 0, k > 0 else { return (0, 0) }
        let reach = (k - 1) * e
        let first = o + min(0, reach), last = (m - 1) * s + o + max(0, reach)
        return (max(0, -first), max(0, last - (n - 1)))
    }

    /// The polyphase table of the transpose: `transposeRows[C·outerTaps + T]` is the outer *output* row `P`
    /// whose outer tap `T` reads outer input row `C` (`C = P·s + o + T·e` per dimension), or −1.
    package func transposeRows(_ g: ConvolutionGeometry) -> [Int32] {
        let outer = Array(0..<(g.rank - 1))
        return ConvolutionGeometry.indexTable(
            extents: outer.map { g.inputSize[$0] }, taps: outer.map { g.kernelSize[$0] },
            targets: outer.map { g.outputSize[$0] }) { d, c, t in
                let u = c - g.offset[d] - t * g.tapStep[d]
                guard u % g.stride[d] == 0 else { return -1 }
                let i = u / g.stride[d]
                return i >= 0 && i < g.outputSize[d] ? i : -1
            }
    }
}
