import ConvAlgebra

/// Plain loops written from PyTorch's definitions, independent of the geometry code: an oracle for the
/// layers before (and besides) the PyTorch fixtures.
enum LayerReference {
    static func strides(_ dims: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: dims.count)
        if dims.count > 1 { for d in Swift.stride(from: dims.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * dims[d + 1] } }
        return s
    }

    /// Every multi-index of `dims`, row-major.
    static func indices(_ dims: [Int]) -> [[Int]] {
        var out: [[Int]] = [[]]
        for n in dims { out = out.flatMap { p in (0..<n).map { p + [$0] } } }
        return out
    }

    /// F.pad of one sample `(C, n…)` by `begin`/`end` per spatial dimension in `mode`.
    static func pad(_ x: [Double], shape: [Int], begin: [Int], end: [Int], mode: PaddingMode) -> (values: [Double], shape: [Int]) {
        let spatial = Array(shape.dropFirst())
        let padded = spatial.indices.map { spatial[$0] + begin[$0] + end[$0] }
        let inS = strides(spatial)
        var y: [Double] = []
        for c in 0..<shape[0] {
            for j in indices(padded) {
                var flat = 0, zero = false
                for d in j.indices {
                    var k = j[d] - begin[d]
                    let n = spatial[d]
                    if k < 0 || k >= n {
                        switch mode {
                        case .zeros: zero = true
                        case .circular: while k < 0 { k += n }; while k >= n { k -= n }
                        case .replicate: k = Swift.min(Swift.max(k, 0), n - 1)
                        case .reflect: if k < 0 { k = -k } else { k = (n - 1) - (k - (n - 1)) }
                        }
                    }
                    flat += k * inS[d]
                }
                y.append(zero ? 0 : x[c * spatial.reduce(1, *) + flat])
            }
        }
        return (y, [shape[0]] + padded)
    }

    /// PyTorch conv (cross-correlation) of one padded sample, valid, with stride, dilation, groups, bias.
    static func conv(_ x: [Double], shape: [Int], weight: [Double], weightShape: [Int], bias: [Double]?,
                     stride: [Int], dilation: [Int], groups: Int) -> (values: [Double], shape: [Int]) {
        let spatial = Array(shape.dropFirst()), kernel = Array(weightShape.dropFirst(2))
        let cout = weightShape[0], cig = weightShape[1], cog = cout / groups
        let out = spatial.indices.map { (spatial[$0] - dilation[$0] * (kernel[$0] - 1) - 1) / stride[$0] + 1 }
        let inS = strides(spatial), kS = strides(kernel), plane = spatial.reduce(1, *), K = kernel.reduce(1, *)
        var y: [Double] = []
        for co in 0..<cout {
            let g = co / cog
            for i in indices(out) {
                var acc = bias?[co] ?? 0
                for ci in 0..<cig {
                    for t in indices(kernel) {
                        var flat = 0, tf = 0
                        for d in i.indices { flat += (i[d] * stride[d] + t[d] * dilation[d]) * inS[d]; tf += t[d] * kS[d] }
                        acc += weight[(co * cig + ci) * K + tf] * x[(g * cig + ci) * plane + flat]
                    }
                }
                y.append(acc)
            }
        }
        return (y, [cout] + out)
    }

    /// PyTorch conv_transpose of one sample by its definition: a scatter, `out[i·s − p + t·d] += W x[i]`.
    static func convTranspose(_ x: [Double], shape: [Int], weight: [Double], weightShape: [Int], bias: [Double]?,
                              stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int], groups: Int) -> (values: [Double], shape: [Int]) {
        let spatial = Array(shape.dropFirst()), kernel = Array(weightShape.dropFirst(2))
        let cin = shape[0], cog = weightShape[1], cout = cog * groups, cig = cin / groups
        let out = spatial.indices.map {
            (spatial[$0] - 1) * stride[$0] - 2 * padding[$0] + dilation[$0] * (kernel[$0] - 1) + outputPadding[$0] + 1
        }
        let oS = strides(out), kS = strides(kernel), inS = strides(spatial)
        let oPlane = out.reduce(1, *), plane = spatial.reduce(1, *), K = kernel.reduce(1, *)
        var y = [Double](repeating: 0, count: cout * oPlane)
        for ci in 0..<cin {
            let g = ci / cig
            for i in indices(spatial) {
                var xf = 0
                for d in i.indices { xf += i[d] * inS[d] }
                let xv = x[ci * plane + xf]
                for oc in 0..<cog {
                    for t in indices(kernel) {
                        var flat = 0, tf = 0, inside = true
                        for d in i.indices {
                            let c = i[d] * stride[d] - padding[d] + t[d] * dilation[d]
                            if c < 0 || c >= out[d] { inside = false }
                            flat += c * oS[d]; tf += t[d] * kS[d]
                        }
                        if inside { y[(g * cog + oc) * oPlane + flat] += weight[(ci * cog + oc) * K + tf] * xv }
                    }
                }
            }
        }
        if let bias { for co in 0..<cout { for p in 0..<oPlane { y[co * oPlane + p] += bias[co] } } }
        return (y, [cout] + out)
    }
}
