import ConvAlgebra

/// What `show` prints above a matrix (lines starting with `#`, or `%` above a LaTeX matrix): the shapes whose
/// C-order flattenings are its rows and columns, the size of the channel blocks that the printed matrix
/// separates, and how symbolic taps are named.
///
/// A layer's matrix acts on one sample `(C, spatial…)` flattened channels first, so its rows (the codomain)
/// and columns (the domain) come in blocks of one channel's plane each; a 1-D signal op's are plain indices.
struct MatrixHeader {
    /// The op's name and the `--domain` it was built on.
    var op: String
    var domain: Shape
    var transposed: Bool
    /// The shapes the rows and columns flatten (the shown operator's codomain and domain).
    var rows: Shape
    var columns: Shape
    /// The names of the rows' and columns' channel axes (`C_out`, `C_in`, `C`), `nil` for a 1-D signal op.
    var rowChannel: String?
    var columnChannel: String?
    /// The weight's shape and the index names of its first two axes (`o, i` for conv, `i, o` for
    /// conv-transpose), when the op has a multi-axis weight.
    var weightShape: [Int]?
    var weightIndices: [String]?

    /// Rows and columns per channel block (nil: one block, nothing to separate).
    var blocks: (rows: Int, columns: Int)? {
        guard rowChannel != nil, rows.rank >= 2, columns.rank >= 2 else { return nil }
        let (cr, cc) = (rows.dims[0], columns.dims[0])
        guard cr > 1 || cc > 1 else { return nil }
        return (cr > 1 ? rows.count / cr : 0, cc > 1 ? columns.count / cc : 0)
    }

    /// The taps' names: `q[o,i,ky,kx]` (the weight's multi-index, in the weight's own axis order) for a layer,
    /// `q0, q1, …` (the flat index, as the reference text numbers a 1-D kernel) otherwise.
    func tapName(latex: Bool) -> (Int) -> String {
        guard let shape = weightShape, weightIndices != nil else { return { latex ? "q_{\($0)}" : "q\($0)" } }
        return { t in
            var rest = t, index = [Int](repeating: 0, count: shape.count)
            for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
                index[d] = rest % shape[d]; rest /= shape[d]
            }
            let list = index.map(String.init).joined(separator: ",")
            return latex ? "q_{\(list)}" : "q[\(list)]"
        }
    }

    /// The header lines; `tapped` says whether the printed entries name taps.
    func lines(latex: Bool, tapped: Bool) -> [String] {
        let mark = latex ? "%" : "#"
        var out = ["\(op)\(transposed ? " transposed" : "") on domain \(domain): a \(rows.count) × \(columns.count) matrix, y = A·x on one sample flattened in C order"]
        out.append("rows:    \(axes(rows, channel: rowChannel)) = \(rows)\(blockNote(rows, rowChannel, "rows"))")
        out.append("columns: \(axes(columns, channel: columnChannel)) = \(columns)\(blockNote(columns, columnChannel, "columns"))")
        if tapped {
            if let shape = weightShape, let first = weightIndices {
                let k = Self.kernelIndices(shape.count - 2)
                let names = (first + k).joined(separator: ",")
                let axes = (first == ["o", "i"] ? ["C_out", "C_in/groups"] : ["C_in", "C_out/groups"])
                    + Self.spatialNames(k.count).map { k.count == 1 ? "K" : "K_" + $0.lowercased() }
                out.append("taps: q[\(names)] = W[\(names)], W of shape (\(axes.joined(separator: ", "))) = \(try! Shape(shape))")
            } else {
                out.append("taps: q0, q1, … are the kernel q in numpy.convolve's order, y[n] = Σₘ q[m]·x[n−m]")
            }
        }
        return out.map { "\(mark) \($0)" }
    }

    /// `(C_out, H, W)` for a layer's shape, `(n)` for a signal's.
    private func axes(_ s: Shape, channel: String?) -> String {
        guard let channel else { return "(n)" }
        return "(" + ([channel] + Self.spatialNames(s.rank - 1)).joined(separator: ", ") + ")"
    }

    private func blockNote(_ s: Shape, _ channel: String?, _ what: String) -> String {
        guard let channel, s.rank >= 2, s.dims[0] > 1 else { return "" }
        return ", \(s.dims[0]) blocks of \(s.count / s.dims[0]) \(what), one per \(channel)"
    }

    static func spatialNames(_ r: Int) -> [String] {
        switch r {
        case 1: return ["L"]
        case 2: return ["H", "W"]
        case 3: return ["D", "H", "W"]
        default: return (0..<max(r, 0)).map { "S\($0)" }
        }
    }

    static func kernelIndices(_ r: Int) -> [String] {
        switch r {
        case 1: return ["kx"]
        case 2: return ["ky", "kx"]
        case 3: return ["kz", "ky", "kx"]
        default: return (0..<max(r, 0)).map { "k\($0)" }
        }
    }
}
