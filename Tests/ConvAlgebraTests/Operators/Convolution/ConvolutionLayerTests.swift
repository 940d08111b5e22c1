import ConvAlgebra
import _TestSupport
import Testing

/// One configuration of a convolution layer.
struct ConvCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [Int]
    var weight: [Int]
    var stride: [Int] = [1]
    var padding: LayerPadding = .valid
    var dilation: [Int] = [1]
    var groups = 1
    var mode: PaddingMode = .zeros
    var bias = true
    var testDescription: String { name }

    /// The layer with seeded weights and bias (drawn in Double, so Float and Double layers hold the same values).
    func layer<S: BLASScalar>(_: S.Type, seed: UInt64 = 1) throws -> ConvolutionLayer<S> {
        var rng = LayerRNG(seed: seed)
        let w: [Double] = rng.array(try Shape(weight).count)
        let b: [Double] = rng.array(weight[0])
        return try ConvolutionLayer<S>(inputShape: input, weightShape: weight, weight: w.map { S($0) },
                                       bias: bias ? b.map { S($0) } : nil, stride: stride, padding: padding,
                                       dilation: dilation, groups: groups, paddingMode: mode)
    }

    static let all: [ConvCase] = [
        ConvCase(name: "1d-pad1", input: [2, 9], weight: [3, 2, 3], padding: .symmetric([1])),
        ConvCase(name: "1d-stride2-dil2", input: [2, 11], weight: [4, 2, 3], stride: [2], padding: .symmetric([2]), dilation: [2]),
        ConvCase(name: "1d-asym", input: [1, 8], weight: [2, 1, 4], padding: .explicit(begin: [2], end: [1]), bias: false),
        ConvCase(name: "1d-same-even", input: [2, 7], weight: [2, 2, 4], padding: .same, dilation: [2]),
        ConvCase(name: "1d-valid", input: [3, 10], weight: [2, 3, 5], padding: .valid),
        ConvCase(name: "1d-groups", input: [4, 9], weight: [6, 2, 3], groups: 2),
        ConvCase(name: "1d-depthwise", input: [3, 8], weight: [3, 1, 3], padding: .symmetric([1]), groups: 3),
        ConvCase(name: "1d-depthwise-x3", input: [2, 8], weight: [6, 1, 3], stride: [3], groups: 2),
        ConvCase(name: "1d-circular", input: [2, 7], weight: [2, 2, 3], stride: [2], padding: .symmetric([2]), mode: .circular),
        ConvCase(name: "1d-circular-full", input: [1, 4], weight: [1, 1, 5], padding: .symmetric([4]), mode: .circular),
        ConvCase(name: "1d-reflect", input: [2, 7], weight: [2, 2, 3], padding: .explicit(begin: [3], end: [1]), mode: .reflect),
        ConvCase(name: "1d-replicate", input: [2, 6], weight: [3, 2, 3], padding: .symmetric([4]), dilation: [2], mode: .replicate),
        ConvCase(name: "2d-stride", input: [2, 6, 5], weight: [3, 2, 3, 3], stride: [2, 1], padding: .symmetric([1, 2])),
        ConvCase(name: "2d-asym", input: [2, 5, 6], weight: [2, 2, 2, 3], padding: .explicit(begin: [1, 0], end: [0, 2])),
        ConvCase(name: "2d-same", input: [2, 6, 6], weight: [2, 2, 3, 2], padding: .same, dilation: [1, 2]),
        ConvCase(name: "2d-depthwise-reflect", input: [3, 5, 6], weight: [3, 1, 3, 3], padding: .symmetric([1]), groups: 3, mode: .reflect),
        ConvCase(name: "2d-circular", input: [2, 5, 4], weight: [4, 2, 3, 3], stride: [2], padding: .symmetric([2, 1]), mode: .circular),
        ConvCase(name: "2d-replicate-groups", input: [4, 5, 5], weight: [4, 2, 2, 2], padding: .explicit(begin: [1, 0], end: [2, 1]),
                 dilation: [2], groups: 2, mode: .replicate),
        ConvCase(name: "3d-stride", input: [2, 4, 5, 4], weight: [2, 2, 2, 3, 2], stride: [1, 2, 1], padding: .symmetric([1, 1, 0])),
        ConvCase(name: "3d-reflect-groups", input: [2, 4, 4, 3], weight: [2, 1, 3, 3, 2], padding: .symmetric([1]), dilation: [1, 1, 2],
                 groups: 2, mode: .reflect),
        ConvCase(name: "3d-circular", input: [1, 3, 4, 4], weight: [2, 1, 2, 2, 2], padding: .symmetric([1, 2, 1]), mode: .circular),
    ]
}

@Suite struct ConvolutionLayerTests {
    @Test(arguments: ConvCase.all)
    func matchesTheReferenceLoops(_ c: ConvCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 3)
        let x = try rng.tensor([2] + c.input, Double.self)
        let y = try layer.forward(x)
        #expect(y.shape.dims == [2] + layer.outputShape)
        let (pb, pe) = try c.padding.amounts(kernelSize: Array(c.weight.dropFirst(2)), dilation: layer.dilation, stride: layer.stride)
        let n = x.scalars.count / 2
        var expected: [Double] = []
        for b in 0..<2 {
            let p = LayerReference.pad(Array(x.scalars[(b * n)..<((b + 1) * n)]), shape: c.input, begin: pb, end: pe, mode: c.mode)
            let r = LayerReference.conv(p.values, shape: p.shape, weight: layer.weight, weightShape: c.weight, bias: layer.bias?.scalars,
                                        stride: layer.stride, dilation: layer.dilation, groups: c.groups)
            #expect(r.shape == layer.outputShape)
            expected += r.values
        }
        expectClose(y.scalars, expected, tol: 1e-12, "forward vs reference loops")
    }

    @Test(arguments: ConvCase.all)
    func formsAgreeInFloatAndDouble(_ c: ConvCase) throws {
        let (d, f) = (try c.layer(Double.self).linear, try c.layer(Float.self).linear)
        try expectFormsAgree(d); try expectFormsAgree(d.anyTransposed)
        try expectFormsAgree(f); try expectFormsAgree(f.anyTransposed)
        // The affine forward, bias included, in every form.
        let layer = try c.layer(Float.self)
        var rng = LayerRNG(seed: 5)
        let x = try rng.tensor([3] + c.input, Float.self)
        let direct = try layer.forward(x)
        for form in [Form.dense, .sparse] {
            expectClose(try layer.forward(x, form: form).scalars, direct.scalars, tol: 2e-4, "forward \(form)")
        }
        // Float and Double agree.
        let xd = try Tensor<Double>(shape: x.shape, scalars: x.scalars.map(Double.init))
        expectClose(direct.scalars.map(Double.init), try c.layer(Double.self).forward(xd).scalars, tol: 1e-5, "Float vs Double")
    }

    @Test(arguments: ConvCase.all)
    func dotTest(_ c: ConvCase) throws {
        try expectDotTest(try c.layer(Double.self).linear)
        try expectDotTest(try c.layer(Float.self).linear)
    }

    @Test(arguments: ConvCase.all)
    func transposeIsLiteralAndPaddingComposes(_ c: ConvCase) throws {
        let layer = try c.layer(Double.self)
        try expectLiteralTranspose(layer.linear, exact: !layer.padsExplicitly)
        try expectLiteralTranspose(layer.paddedConvolution)
        // linear = pad.then(conv over the padded input), for every mode (zeros and circular fold the padding
        // into the geometry; this checks that folding).
        let composed = try layer.padding.then(layer.paddedConvolution)
        expectClose(try layer.linear.dense(budget: .unlimited).entries, try composed.dense(budget: .unlimited).entries,
                    tol: 1e-13, "linear vs padding.then(paddedConvolution)")
        #expect(layer.linear.domain.dims == c.input && layer.linear.codomain.dims == layer.outputShape)
    }

    @Test(arguments: ConvCase.all)
    func gradientsMatchFiniteDifferencesAndTheWeightGradientMatrix(_ c: ConvCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 9)
        let x = try rng.tensor([2] + c.input, Double.self)
        let dy = try rng.tensor([2] + layer.outputShape, Double.self)
        let g = try layer.backward(input: x, outputGradient: dy)
        #expect(g.input.shape == x.shape && g.weight.shape.dims == c.weight)
        #expect((g.bias == nil) == !c.bias)
        // The loss ⟨dy, forward(x; W, b)⟩ is linear in each of x, W, b: central differences along random directions.
        func loss(_ l: ConvolutionLayer<Double>, _ x: Tensor<Double>) throws -> Double { dot(try l.forward(x).scalars, dy.scalars) }
        let h = 1e-3
        let v = try rng.tensor(x.shape.dims, Double.self)
        let xp = try Tensor(shape: x.shape, scalars: zip(x.scalars, v.scalars).map { $0 + h * $1 })
        let xm = try Tensor(shape: x.shape, scalars: zip(x.scalars, v.scalars).map { $0 - h * $1 })
        let fdx = (try loss(layer, xp) - loss(layer, xm)) / (2 * h)
        #expect(abs(fdx - dot(g.input.scalars, v.scalars)) <= 1e-8 * max(1, abs(fdx)), "dx: fd \(fdx)")
        let vw: [Double] = rng.array(layer.weight.count)
        func withWeight(_ s: Double) throws -> ConvolutionLayer<Double> {
            try ConvolutionLayer(inputShape: c.input, weightShape: c.weight, weight: zip(layer.weight, vw).map { $0 + s * $1 },
                                 bias: layer.bias?.scalars, stride: c.stride, padding: c.padding, dilation: c.dilation,
                                 groups: c.groups, paddingMode: c.mode)
        }
        let fdw = (try loss(withWeight(h), x) - loss(withWeight(-h), x)) / (2 * h)
        #expect(abs(fdw - dot(g.weight.scalars, vw)) <= 1e-8 * max(1, abs(fdw)), "dW: fd \(fdw)")
        if let bias = layer.bias?.scalars, let db = g.bias?.scalars {
            let vb: [Double] = rng.array(bias.count)
            func withBias(_ s: Double) throws -> ConvolutionLayer<Double> {
                try ConvolutionLayer(inputShape: c.input, weightShape: c.weight, weight: layer.weight,
                                     bias: zip(bias, vb).map { $0 + s * $1 }, stride: c.stride, padding: c.padding,
                                     dilation: c.dilation, groups: c.groups, paddingMode: c.mode)
            }
            let fdb = (try loss(withBias(h), x) - loss(withBias(-h), x)) / (2 * h)
            #expect(abs(fdb - dot(db, vb)) <= 1e-8 * max(1, abs(fdb)), "db: fd \(fdb)")
        }
        // dW = Σ_b B(x_b)ᵀ dy_b with the materialised weight-gradient operator; dx in every form.
        let n = layer.domain.count, m = layer.codomain.count
        var dw = [Double](repeating: 0, count: layer.weight.count)
        for b in 0..<2 {
            let B = try layer.weightGradient(at: Array(x.scalars[(b * n)..<((b + 1) * n)]))
            let bt = try B.transposed.dense(budget: .unlimited)
            let dyb = Array(dy.scalars[(b * m)..<((b + 1) * m)])
            for r in 0..<bt.rows { for k in 0..<bt.columns { dw[r] += bt[r, k] * dyb[k] } }
        }
        expectClose(g.weight.scalars, dw, tol: 1e-12, "dW vs Σ B(x)ᵀ dy")
        for form in [Form.dense, .sparse] {
            expectClose(try layer.backward(input: x, outputGradient: dy, form: form).input.scalars, g.input.scalars,
                        tol: 1e-12, "dx \(form)")
        }
    }

    @Test(arguments: ConvCase.all)
    func weightGradientOperatorAppliesTheKernel(_ c: ConvCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 13)
        let x: [Double] = rng.array(layer.domain.count)
        let B = try layer.weightGradient(at: x)
        let withoutBias = try layer.linear.apply(Tensor(shape: layer.domain, scalars: x))
        for form in Form.allCases {
            expectClose(try B.apply(Tensor(shape: B.domain, scalars: layer.weight), form: form).scalars,
                        withoutBias.scalars, tol: 1e-12, "B(x) W vs conv(x; W), \(form)")
        }
        try expectFormsAgree(B); try expectFormsAgree(B.anyTransposed)
        try expectDotTest(B)
        try expectLiteralTranspose(B)
        #expect(B.transposed.transposed == B)
    }

    @Test func closedTransposes() throws {
        let layer = try ConvCase.all[1].layer(Double.self)
        let conv = layer.convolution
        let t: TransposedConvolution<Double> = conv.transposed
        #expect(t.transposed == conv)
    }
}
