import ConvAlgebraCore

/// Shape computations on constants, evaluated during the walk: torch.onnx.export writes a padding's amounts, a
/// flatten's target shape and a resize's scales as small subgraphs (`Shape`, `Gather`, `Concat`, `Slice`,
/// `Transpose`, `Reshape`, `Cast`, …) that end in a constant input of the node that uses them.
extension NetworkWalk {
    /// The largest constant a folded op produces (shape computations are tiny; a large one is not one).
    static let foldLimit = 1 << 20

    /// Evaluates `node` when all its inputs are constants (or it is `Shape` of a data tensor); false when the op is
    /// not one of the folded ones.
    mutating func fold(_ node: ONNXNode) throws -> Bool {
        let ins = node.inputs.map { $0.isEmpty ? nil : constants[$0] }
        func input(_ i: Int) throws -> ONNXTensor {
            guard i < ins.count, let t = ins[i] else {
                throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)) lacks input \(i)")
            }
            return t
        }
        let result: ONNXTensor
        switch node.op {
        case "Constant":
            if let t = try node.tensor("value", budget: budget) { result = t }
            else if let f = node.attributes["value_float"] { result = ONNXTensor(dims: [], values: [Double(f.f)], dataType: 1) }
            else if let f = node.floats("value_floats") { result = ONNXTensor(dims: [f.count], values: f, dataType: 1) }
            else if let i = node.attributes["value_int"] { result = ONNXTensor(dims: [], values: [Double(i.i)], dataType: 7) }
            else if let i = try node.ints("value_ints") { result = ONNXTensor(dims: [i.count], values: i.map(Double.init), dataType: 7) }
            else { throw ConvAlgebraError.unsupported("node '\(node.name)' (Constant) has no value this reader knows") }
        case "Shape":
            let s = try data(node).state.shape
            let r = s.count
            var lo = try node.int("start", default: 0), hi = try node.int("end", default: r)
            if lo < 0 { lo += r }; if hi < 0 { hi += r }
            lo = Swift.min(Swift.max(lo, 0), r); hi = Swift.min(Swift.max(hi, lo), r)
            result = ONNXTensor(dims: [hi - lo], values: s[lo..<hi].map(Double.init), dataType: 7)
        case "Identity", "Cast":
            var t = try input(0)
            if node.op == "Cast" {
                let to = Int32(try node.int("to", default: 1))
                let integral = [2, 3, 4, 5, 6, 7, 9, 12, 13].contains(to)
                t = ONNXTensor(dims: t.dims, values: integral ? t.values.map { $0.rounded(.towardZero) } : t.values, dataType: to)
            }
            result = t
        case "ConstantOfShape":
            let dims = try input(0).integers("the shape of node '\(node.name)'")
            let count = try checkedCount(dims, node)
            let v = try node.tensor("value", budget: budget)
            result = ONNXTensor(dims: dims, values: Array(repeating: v?.values.first ?? 0, count: count), dataType: v?.dataType ?? 1)
        case "Concat":
            let parts = try (0..<ins.count).map(input)
            guard parts.allSatisfy({ $0.dims.count <= 1 }) else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (Concat): constants of rank above 1 are not folded")
            }
            let values = parts.flatMap(\.values)
            result = ONNXTensor(dims: [values.count], values: values, dataType: parts.first?.dataType ?? 7)
        case "Reshape":
            let t = try input(0)
            let dims = try reshaped(t.dims, try input(1).integers("the shape of node '\(node.name)'"), node)
            result = ONNXTensor(dims: dims, values: t.values, dataType: t.dataType)
        case "Unsqueeze", "Squeeze":
            let t = try input(0)
            var axes = try node.ints("axes")
            if axes == nil, ins.count > 1 { axes = try input(1).integers("the axes of '\(node.name)'") }
            result = ONNXTensor(dims: try squeezed(t.dims, axes: axes, unsqueeze: node.op == "Unsqueeze", node), values: t.values, dataType: t.dataType)
        case "Transpose":
            let t = try input(0)
            let perm = try node.ints("perm") ?? Array((0..<t.dims.count).reversed())
            guard perm.sorted() == Array(0..<t.dims.count) else {
                throw ConvAlgebraError.invalidArgument("\(node.describe("perm")) is not a permutation of the \(t.dims.count) axes: \(perm)")
            }
            let dims = perm.map { t.dims[$0] }
            result = ONNXTensor(dims: dims, values: gather(dims) { idx in var src = [Int](repeating: 0, count: idx.count); for (k, p) in perm.enumerated() { src[p] = idx[k] }; return flat(src, t.dims) }.map { t.values[$0] }, dataType: t.dataType)
        case "Gather":
            let t = try input(0), idx = try input(1).integers("the indices of '\(node.name)'")
            var axis = try node.int("axis", default: 0)
            if axis < 0 { axis += t.dims.count }
            guard axis >= 0, axis < t.dims.count else { throw ConvAlgebraError.invalidArgument("\(node.describe("axis")) is out of range") }
            let n = t.dims[axis]
            let picks = try idx.map { i -> Int in
                let j = i < 0 ? i + n : i
                guard j >= 0, j < n else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Gather): index \(i) is out of range \(n)") }
                return j
            }
            let idxDims = try input(1).dims
            let dims = Array(t.dims[..<axis]) + idxDims + Array(t.dims[(axis + 1)...])
            result = ONNXTensor(dims: dims, values: gather(dims) { o in
                var src = Array(o[..<axis]); let k = flat(Array(o[axis..<(axis + idxDims.count)]), idxDims)
                src.append(picks[k]); src += o[(axis + idxDims.count)...]
                return flat(src, t.dims)
            }.map { t.values[$0] }, dataType: t.dataType)
        case "Slice":
            result = try slice(node, try input(0), starts: try input(1).integers("starts"), ends: try input(2).integers("ends"),
                               axes: ins.count > 3 && ins[3] != nil ? try input(3).integers("axes") : nil,
                               steps: ins.count > 4 && ins[4] != nil ? try input(4).integers("steps") : nil)
        case "Add", "Sub", "Mul", "Div":
            let a = try input(0), b = try input(1)
            guard a.values.count == b.values.count || a.values.count == 1 || b.values.count == 1 else { return false }
            let n = Swift.max(a.values.count, b.values.count)
            let f: (Double, Double) -> Double
            switch node.op {
            case "Add": f = { $0 + $1 }
            case "Sub": f = { $0 - $1 }
            case "Mul": f = { $0 * $1 }
            default: f = { $0 / $1 }
            }
            let vals = (0..<n).map { f(a.values[a.values.count == 1 ? 0 : $0], b.values[b.values.count == 1 ? 0 : $0]) }
            let integral = [6, 7].contains(a.dataType)
            result = ONNXTensor(dims: a.values.count >= b.values.count ? a.dims : b.dims,
                                values: integral && node.op == "Div" ? vals.map { $0.rounded(.down) } : vals, dataType: a.dataType)
        default:
            return false
        }
        guard result.values.count <= Self.foldLimit else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)) computes a constant of \(result.values.count) elements; only shape computations are folded")
        }
        guard let out = node.outputs.first else { return true }
        constants[out] = result
        notes.append(NetworkNote(name: node.name, op: node.op, kind: .constant, lipschitz: nil, detail: "constant, folded"))
        return true
    }

    func checkedCount(_ dims: [Int], _ node: ONNXNode) throws -> Int {
        guard dims.allSatisfy({ $0 >= 0 }) else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)): negative extent in \(dims)") }
        let n = try dims.reduce(1) { try Checked.multiply($0, $1, "a constant of node '\(node.name)'") }
        guard n <= Self.foldLimit else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)) computes a constant of \(n) elements; only shape computations are folded")
        }
        return n
    }

    /// ONNX Reshape's target: `0` copies the extent (allowzero = 0), one `-1` takes the rest.
    func reshaped(_ dims: [Int], _ target: [Int], _ node: ONNXNode) throws -> [Int] {
        let total = try dims.reduce(1) { try Checked.multiply($0, $1, "a reshape") }
        var out = try target.enumerated().map { i, v -> Int in
            if v == 0 {
                guard i < dims.count else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Reshape): 0 at axis \(i) past the input's rank") }
                return dims[i]
            }
            return v
        }
        let unknown = out.indices.filter { out[$0] == -1 }
        guard unknown.count <= 1, out.allSatisfy({ $0 >= -1 }) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Reshape): invalid target shape \(target)")
        }
        let known = try out.filter { $0 != -1 }.reduce(1) { try Checked.multiply($0, $1, "a reshape") }
        if let u = unknown.first {
            guard known > 0, total % known == 0 else {
                throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Reshape): \(dims) cannot become \(target)")
            }
            out[u] = total / known
        }
        guard try out.reduce(1, { try Checked.multiply($0, $1, "a reshape") }) == total else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Reshape): \(dims) (\(total) elements) cannot become \(target)")
        }
        return out
    }

    func squeezed(_ dims: [Int], axes: [Int]?, unsqueeze: Bool, _ node: ONNXNode) throws -> [Int] {
        if unsqueeze {
            guard let axes else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Unsqueeze) has no axes") }
            let r = dims.count + axes.count
            let norm = Set(axes.map { $0 < 0 ? $0 + r : $0 })
            guard norm.count == axes.count, norm.allSatisfy({ $0 >= 0 && $0 < r }) else {
                throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Unsqueeze): invalid axes \(axes)")
            }
            var it = dims.makeIterator()
            return (0..<r).map { norm.contains($0) ? 1 : it.next()! }
        }
        let r = dims.count
        let norm = Set((axes ?? dims.indices.filter { dims[$0] == 1 }).map { $0 < 0 ? $0 + r : $0 })
        guard norm.allSatisfy({ $0 >= 0 && $0 < r && dims[$0] == 1 }) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Squeeze): axes \(axes ?? []) are not extents of 1 in \(dims)")
        }
        return dims.indices.filter { !norm.contains($0) }.map { dims[$0] }
    }

    func slice(_ node: ONNXNode, _ t: ONNXTensor, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?) throws -> ONNXTensor {
        let r = t.dims.count
        let ax = (axes ?? Array(0..<starts.count)).map { $0 < 0 ? $0 + r : $0 }
        let st = steps ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, ax.count == starts.count, st.count == starts.count,
              ax.allSatisfy({ $0 >= 0 && $0 < r }), st.allSatisfy({ $0 != 0 }) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Slice): inconsistent starts, ends, axes and steps")
        }
        var picks = t.dims.map { Array(0..<$0) }
        for k in ax.indices {
            let n = t.dims[ax[k]], s = st[k]
            func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(v, lo), hi) }
            var b = starts[k] < 0 ? starts[k] + n : starts[k], e = ends[k] < 0 ? ends[k] + n : ends[k]
            if ends[k] <= -(1 << 62) { e = -1 }   // INT64_MIN-like "to the start" when stepping backwards
            if s > 0 { b = clamp(b, 0, n); e = clamp(e, 0, n) } else { b = clamp(b, -1, n - 1); e = clamp(e, -1, n - 1) }
            picks[ax[k]] = Array(Swift.stride(from: b, to: e, by: s))
        }
        let dims = picks.map(\.count)
        _ = try checkedCount(dims, node)
        let sources = gather(dims) { idx in flat(idx.enumerated().map { picks[$0.offset][$0.element] }, t.dims) }
        return ONNXTensor(dims: dims, values: sources.map { t.values[$0] }, dataType: t.dataType)
    }
}

/// The C-order flat index of `index` in `dims`.
func flat(_ index: [Int], _ dims: [Int]) -> Int {
    var f = 0
    for (i, n) in zip(index, dims) { f = f * n + i }
    return f
}

/// For every index of `dims` in C order, `source(index)`: the flat source index of each output element.
func gather(_ dims: [Int], _ source: ([Int]) -> Int) -> [Int] {
    let count = dims.reduce(1, *)
    var out = [Int](), idx = [Int](repeating: 0, count: dims.count)
    out.reserveCapacity(count)
    for _ in 0..<count {
        out.append(source(idx))
        var d = dims.count - 1
        while d >= 0 { idx[d] += 1; if idx[d] < dims[d] { break }; idx[d] = 0; d -= 1 }
    }
    return out
}
