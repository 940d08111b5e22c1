import ConvAlgebraCore
import ConvAlgebraOperators

/// Pad (zero, reflect, edge, wrap) and Resize / Upsample (nearest and linear, integer factors).
extension NetworkWalk {
    mutating func pad(_ node: ONNXNode) throws {
        let input = try data(node)
        let full = input.state.shape
        let rank = full.count
        var pads = try node.ints("pads")
        if pads == nil { pads = try constant(node, 1)?.integers("the pads of node '\(node.name)'") }
        guard var p = pads else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Pad) has no pads") }
        if let axes = try constant(node, 3)?.integers("the axes of node '\(node.name)'") {
            // Opset 18: pads for the listed axes only.
            guard p.count == 2 * axes.count else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Pad): \(p.count) pads for \(axes.count) axes") }
            var all = [Int](repeating: 0, count: 2 * rank)
            for (k, a) in axes.enumerated() {
                let ax = a < 0 ? a + rank : a
                guard ax >= 0, ax < rank else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Pad): axis \(a) out of range") }
                all[ax] = p[k]; all[rank + ax] = p[axes.count + k]
            }
            p = all
        }
        guard p.count == 2 * rank else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Pad): \(p.count) pads for an input of rank \(rank) (needs \(2 * rank))")
        }
        guard p[0] == 0, p[rank] == 0, p[1] == 0, p[rank + 1] == 0 else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (Pad): padding the batch or channel axis (pads \(p))")
        }
        guard p.allSatisfy({ $0 >= 0 }) else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (Pad): negative pads (cropping) \(p)")
        }
        let modeName = try node.string("mode", default: "constant")
        let modes: [String: PaddingMode] = ["constant": .zeros, "reflect": .reflect, "edge": .replicate, "wrap": .circular]
        guard let mode = modes[modeName] else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (Pad): mode '\(modeName)' (known: constant, reflect, edge, wrap)")
        }
        let n = Array(full.dropFirst(2))
        let op = try described(node) {
            try PaddingGeometry(inputSize: n, begin: Array(p[2..<rank]), end: Array(p[(rank + 2)...]), mode: mode,
                                channels: full[1], hasChannelAxis: true).padding(Double.self)
        }
        // A non-zero constant value is an offset: the linear part is the zero padding.
        try addLayer(node, input: input, op: "Pad", linear: op)
    }

    mutating func resize(_ node: ONNXNode) throws {
        let input = try data(node)
        let full = input.state.shape
        let rank = full.count
        var scales: [Double]? = nil
        if node.op == "Upsample" {
            scales = try node.floats("scales").flatMap { $0.isEmpty ? nil : $0 } ?? constant(node, 1)?.values
        } else {
            // Resize: (X, roi, scales, sizes) from opset 11, (X, scales) in opset 10.
            let scaleIndex = node.inputs.count == 2 ? 1 : 2
            if let s = try constant(node, scaleIndex), !s.values.isEmpty { scales = s.values }
            if scales == nil, let sizes = try constant(node, 3)?.integers("the sizes of node '\(node.name)'") {
                guard sizes.count == rank else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Resize): \(sizes.count) sizes for rank \(rank)") }
                scales = zip(sizes, full).map { Double($0) / Double($1) }
            }
        }
        guard let s = scales, s.count == rank else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)) needs \(rank) scales (or sizes)")
        }
        guard s[0] == 1, s[1] == 1 else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): resizing the batch or channel axis (scales \(s))")
        }
        let factors = try s.dropFirst(2).map { v -> Int in
            guard v >= 1, v.rounded() == v, v < 1e6 else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): scale \(v) is not a positive integer (integer up-sampling is supported)")
            }
            return Int(v)
        }
        let mode = try node.string("mode", default: "nearest")
        let transform = try node.string("coordinate_transformation_mode", default: node.op == "Upsample" ? "asymmetric" : "half_pixel")
        let nearestMode = try node.string("nearest_mode", default: "round_prefer_floor")
        let upMode: UpsamplingMode
        switch mode {
        case "nearest":
            // For an integer factor k, floor(j/k) is asymmetric + floor and half_pixel + either rounding.
            let asymmetricFloor = transform == "asymmetric" && (nearestMode == "floor" || node.op == "Upsample")
            let halfPixelRound = ["half_pixel", "pytorch_half_pixel"].contains(transform) && nearestMode.hasPrefix("round_prefer")
            guard asymmetricFloor || halfPixelRound else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): nearest with \(transform) / \(nearestMode) (supported: asymmetric + floor, half_pixel + round_prefer_floor/ceil)")
            }
            upMode = .nearest
        case "linear", "bilinear", "trilinear":
            guard node.op == "Resize", ["half_pixel", "pytorch_half_pixel"].contains(transform) else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): linear with \(transform) (supported: half_pixel, PyTorch's align_corners=False)")
            }
            upMode = .linear
        default:
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): mode '\(mode)' (supported: nearest, linear)")
        }
        let op = try described(node) {
            try Upsampling.make(upMode, inputShape: Array(full.dropFirst()), scale: factors, as: Double.self)
        }
        try addLayer(node, input: input, op: node.op, linear: op)
    }
}
