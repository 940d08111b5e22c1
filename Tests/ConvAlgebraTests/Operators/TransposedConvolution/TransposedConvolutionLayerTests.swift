import ConvAlgebra
import _TestSupport
import Testing

/// One configuration of a transposed convolution layer (symmetric padding, as PyTorch takes it).
struct ConvTransposeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [Int]
    var weight: [Int]
    var stride: [Int] = [1]
    var padding: [Int] = [0]
    var outputPadding: [Int] = [0]
    var dilation: [Int] = [1]
    var groups = 1
    var bias = true
    var testDescription: String { name }

    func layer<S: BLASScalar>(_: S.Type, seed: UInt64 = 2) throws -> TransposedConvolutionLayer<S> {
        var rng = LayerRNG(seed: seed)
        let w: [Double] = rng.array(try Shape(weight).count)
        let b: [Double] = rng.array(weight[1] * groups)
        return try TransposedConvolutionLayer<S>(inputShape: input, weightShape: weight, weight: w.map { S($0) },
                                                 bias: bias ? b.map { S($0) } : nil, stride: stride,
                                                 padding: .symmetric(padding), outputPadding: outputPadding,
                                                 dilation: dilation, groups: groups)
    }

    static let all: [ConvTransposeCase] = [
        ConvTransposeCase(name: "1d-basic", input: [2, 5], weight: [2, 3, 3]),
        ConvTransposeCase(name: "1d-stride2-pad1-op1", input: [2, 6], weight: [2, 2, 4], stride: [2], padding: [1], outputPadding: [1]),
        ConvTransposeCase(name: "1d-stride3-dil2", input: [3, 4], weight: [3, 2, 3], stride: [3], padding: [2], dilation: [2], bias: false),
        ConvTransposeCase(name: "1d-op-below-dilation", input: [2, 5], weight: [2, 1, 3], stride: [1], outputPadding: [1], dilation: [2]),
        ConvTransposeCase(name: "1d-groups", input: [4, 5], weight: [4, 3, 2], stride: [2], groups: 2),
        ConvTransposeCase(name: "1d-depthwise", input: [3, 6], weight: [3, 1, 3], stride: [2], padding: [1], groups: 3),
        ConvTransposeCase(name: "2d-dcgan", input: [3, 4, 4], weight: [3, 2, 4, 4], stride: [2], padding: [1]),
        ConvTransposeCase(name: "2d-s2-op1", input: [2, 5, 4], weight: [2, 3, 3, 3], stride: [2], padding: [1], outputPadding: [1]),
        ConvTransposeCase(name: "2d-mixed", input: [4, 3, 4], weight: [4, 1, 2, 3], stride: [3, 1], padding: [0, 1],
                          outputPadding: [2, 0], dilation: [1, 2], groups: 2),
        ConvTransposeCase(name: "3d-s2", input: [2, 3, 2, 3], weight: [2, 2, 2, 3, 2], stride: [2, 1, 2], padding: [0, 1, 1],
                          outputPadding: [1, 0, 0]),
        ConvTransposeCase(name: "3d-groups-dil", input: [2, 2, 3, 2], weight: [2, 1, 2, 2, 2], stride: [1, 2, 1], dilation: [2, 1, 1],
                          groups: 2),
    ]
}

@Suite struct TransposedConvolutionLayerTests {
    @Test(arguments: ConvTransposeCase.all)
    func matchesTheScatterDefinition(_ c: ConvTransposeCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 4)
        let x = try rng.tensor([2] + c.input, Double.self)
        let y = try layer.forward(x)
        let r = c.input.count - 1
        let pad = try LayerOptions.perDimension(c.padding, rank: r, name: "p"), op = try LayerOptions.perDimension(c.outputPadding, rank: r, name: "op")
        let n = x.scalars.count / 2
        var expected: [Double] = []
        for b in 0..<2 {
            let e = LayerReference.convTranspose(Array(x.scalars[(b * n)..<((b + 1) * n)]), shape: c.input, weight: layer.weight,
                                                 weightShape: c.weight, bias: layer.bias?.scalars, stride: layer.stride, padding: pad,
                                                 outputPadding: op, dilation: layer.dilation, groups: c.groups)
            #expect(e.shape == layer.outputShape)
            expected += e.values
        }
        #expect(y.shape.dims == [2] + layer.outputShape)
        expectClose(y.scalars, expected, tol: 1e-12, "forward vs scatter definition")
    }

    @Test(arguments: ConvTransposeCase.all)
    func formsAgreeDotTestAndLiteralTranspose(_ c: ConvTransposeCase) throws {
        for seed: UInt64 in [2, 5] {
            let d = try c.layer(Double.self, seed: seed), f = try c.layer(Float.self, seed: seed)
            try expectFormsAgree(d.linear); try expectFormsAgree(d.linear.anyTransposed)
            try expectFormsAgree(f.linear); try expectFormsAgree(f.linear.anyTransposed)
            try expectDotTest(d.linear); try expectDotTest(f.linear)
            // The layer's matrix is the forward convolution's matrix transposed, entry for entry.
            #expect(try d.linear.dense(budget: .unlimited) == d.forwardConvolution.dense(budget: .unlimited).transposed())
            #expect(try d.linear.sparse(budget: .unlimited) == d.forwardConvolution.sparse(budget: .unlimited).transposed())
            try expectLiteralTranspose(f.linear)
        }
        let layer = try c.layer(Float.self)
        var rng = LayerRNG(seed: 6)
        let x = try rng.tensor([3] + c.input, Float.self)
        let direct = try layer.forward(x)
        for form in [Form.dense, .sparse] {
            expectClose(try layer.forward(x, form: form).scalars, direct.scalars, tol: 2e-4, "forward \(form)")
        }
    }

    @Test(arguments: ConvTransposeCase.all)
    func gradientsMatchFiniteDifferencesAndTheWeightGradientMatrix(_ c: ConvTransposeCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 8)
        let x = try rng.tensor([2] + c.input, Double.self)
        let dy = try rng.tensor([2] + layer.outputShape, Double.self)
        let g = try layer.backward(input: x, outputGradient: dy)
        func loss(_ l: TransposedConvolutionLayer<Double>, _ x: Tensor<Double>) throws -> Double { dot(try l.forward(x).scalars, dy.scalars) }
        func rebuilt(weight: [Double], bias: [Double]?) throws -> TransposedConvolutionLayer<Double> {
            try TransposedConvolutionLayer(inputShape: c.input, weightShape: c.weight, weight: weight, bias: bias, stride: c.stride,
                                           padding: .symmetric(c.padding), outputPadding: c.outputPadding, dilation: c.dilation,
                                           groups: c.groups)
        }
        let h = 1e-3
        let v = try rng.tensor(x.shape.dims, Double.self)
        let fdx = (try loss(layer, Tensor(shape: x.shape, scalars: zip(x.scalars, v.scalars).map { $0 + h * $1 }))
                   - loss(layer, Tensor(shape: x.shape, scalars: zip(x.scalars, v.scalars).map { $0 - h * $1 }))) / (2 * h)
        #expect(abs(fdx - dot(g.input.scalars, v.scalars)) <= 1e-8 * max(1, abs(fdx)), "dx: fd \(fdx)")
        let vw: [Double] = rng.array(layer.weight.count)
        let fdw = (try loss(rebuilt(weight: zip(layer.weight, vw).map { $0 + h * $1 }, bias: layer.bias?.scalars), x)
                   - loss(rebuilt(weight: zip(layer.weight, vw).map { $0 - h * $1 }, bias: layer.bias?.scalars), x)) / (2 * h)
        #expect(abs(fdw - dot(g.weight.scalars, vw)) <= 1e-8 * max(1, abs(fdw)), "dW: fd \(fdw)")
        if let bias = layer.bias?.scalars, let db = g.bias?.scalars {
            let vb: [Double] = rng.array(bias.count)
            let fdb = (try loss(rebuilt(weight: layer.weight, bias: zip(bias, vb).map { $0 + h * $1 }), x)
                       - loss(rebuilt(weight: layer.weight, bias: zip(bias, vb).map { $0 - h * $1 }), x)) / (2 * h)
            #expect(abs(fdb - dot(db, vb)) <= 1e-8 * max(1, abs(fdb)), "db: fd \(fdb)")
        } else {
            #expect(g.bias == nil)
        }
        let n = layer.domain.count, m = layer.codomain.count
        var dw = [Double](repeating: 0, count: layer.weight.count)
        for b in 0..<2 {
            let B = try layer.weightGradient(at: Array(x.scalars[(b * n)..<((b + 1) * n)]))
            let bt = try B.transposed.sparse(budget: .unlimited)
            let dyb = try Tensor(shape: [1] + B.codomain.dims, scalars: Array(dy.scalars[(b * m)..<((b + 1) * m)]))
            let part = try B.transposed.apply(dyb, form: .sparse)
            for k in dw.indices { dw[k] += part.scalars[k] }
            #expect(bt.rows == layer.weight.count)
        }
        expectClose(g.weight.scalars, dw, tol: 1e-12, "dW vs Σ B(x)ᵀ dy")
        for form in [Form.dense, .sparse] {
            expectClose(try layer.backward(input: x, outputGradient: dy, form: form).input.scalars, g.input.scalars, tol: 1e-12, "dx \(form)")
        }
    }

    @Test(arguments: ConvTransposeCase.all)
    func weightGradientOperator(_ c: ConvTransposeCase) throws {
        let layer = try c.layer(Double.self)
        var rng = LayerRNG(seed: 12)
        let x: [Double] = rng.array(layer.domain.count)
        let B = try layer.weightGradient(at: x)
        let expected = try layer.linear.apply(Tensor(shape: layer.domain, scalars: x))
        for form in Form.allCases {
            expectClose(try B.apply(Tensor(shape: B.domain, scalars: layer.weight), form: form).scalars, expected.scalars,
                        tol: 1e-12, "B(x) W, \(form)")
        }
        try expectFormsAgree(B); try expectFormsAgree(B.anyTransposed); try expectDotTest(B); try expectLiteralTranspose(B)
    }

    @Test func outputSizeFollowsPyTorch() throws {
        // L_out = (L − 1)·s − 2p + d·(K − 1) + op + 1
        let l = try TransposedConvolutionLayer<Double>(inputShape: [1, 7, 5], weightShape: [1, 1, 4, 3], weight: Array(repeating: 1, count: 12),
                                                       stride: [3, 2], padding: .symmetric([2, 1]), outputPadding: [2, 1], dilation: [1, 2])
        #expect(l.outputShape == [1, (7 - 1) * 3 - 4 + 3 + 2 + 1, (5 - 1) * 2 - 2 + 4 + 1 + 1])
        #expect(l.linear.transposed == l.forwardConvolution)
    }
}
