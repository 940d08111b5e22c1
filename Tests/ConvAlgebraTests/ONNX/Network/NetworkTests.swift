import ConvAlgebra
import ConvAlgebraONNX
import Foundation
import Testing
import _TestSupport

/// The graph walk against PyTorch: every linear layer of the exported models has the ONNX node name, op, shapes and
/// non-zeros the fixture lists, and its matrix equals the Jacobian autograd computed for that layer.
@Suite struct NetworkTests {
    @Test(arguments: ONNXFixtures.models)
    func layersMatchPyTorch(_ name: String) throws {
        let net = try Network(model: try ONNXFixtures.model(name))
        let expected = try ONNXFixtures.layers(name)
        #expect(net.layers.map(\.name) == expected.map { $0["name"] as? String ?? "" })
        #expect(net.inputShape == (try ONNXFixtures.expected(name))["input_shape"] as? [Int])
        for (layer, e) in zip(net.layers, expected) {
            #expect(layer.op == e["op"] as? String, "\(layer.name)")
            #expect(layer.inputShape == e["input_shape"] as? [Int], "\(layer.name)")
            #expect(layer.outputShape == e["output_shape"] as? [Int], "\(layer.name)")
            let sparse = try layer.linear.sparse()
            #expect(sparse.values.filter { $0 != 0 }.count == e["nnz"] as? Int, "\(layer.name)")
            let jacobian = try ONNXFixtures.jacobian(e)
            let scale = jacobian.entries.map(abs).max() ?? 1
            // float32 weights widened in both; batch-norm folding rounds differently: 1e-12 of the largest entry.
            expectMatricesEqual(try layer.linear.dense(), jacobian, rtol: 0, atol: 1e-12 * scale, "\(name) \(layer.name)")
        }
    }

    @Test(arguments: ONNXFixtures.models)
    func everyLayerHasALiteralTranspose(_ name: String) throws {
        let net = try Network(model: try ONNXFixtures.model(name))
        for layer in net.layers {
            try expectDotTest(layer.linear)
            try expectFormsAgree(layer.linear)
        }
    }

    @Test func batchNormFoldsIntoTheLayerBefore() throws {
        let net = try Network(model: try ONNXFixtures.model("resblock"))
        let stem = try #require(net.layers.first)
        #expect(stem.nodes == ["/stem/Conv", "/bn0/BatchNormalization"])
        // The folded weight is the one the operator applies.
        let conv = try #require(stem.convolution)
        #expect(conv.taps == stem.weight?.values)
    }

    @Test func residualBlockOfLinearBranchesIsOneExactOperator() throws {
        let net = try Network(model: try ONNXFixtures.model("resblock"))
        let add = try #require(net.layers.first { $0.name == "/Add_1" })
        let lin = try #require(net.layers.first { $0.name == "/lin/Conv" })
        // I + F, materialised both ways.
        let sum = try Identity<Double>(shape: lin.linear.domain).plus(try Composed([lin.linear]))
        expectMatricesEqual(try add.linear.dense(), try sum.dense())
        // The branches that meet at /Add and /Add_2 hold ReLUs: their bounds add.
        #expect(net.notes.contains { $0.name == "/Add" && $0.detail.contains("add") })
    }

    @Test func activationsAndMaxPoolsCarryTheirConstants() throws {
        let convnet = try Network(model: try ONNXFixtures.model("convnet"))
        let lip = Dictionary(uniqueKeysWithValues: convnet.notes.compactMap { n in n.lipschitz.map { (n.op, $0) } })
        #expect(lip["Relu"] == 1 && lip["Sigmoid"] == 0.25 && lip["Tanh"] == 1)
        #expect(abs(try #require(lip["LeakyRelu"]) - 1) < 1e-12)           // max(1, |0.2|)
        #expect(lip["MaxPool"] == 1)                                         // 2×2 / 2: no overlap
        let resblock = try Network(model: try ONNXFixtures.model("resblock"))
        #expect(resblock.notes.first { $0.op == "MaxPool" }?.lipschitz == 2) // 3×3 / 2, pad 1: √4
    }

    @Test func lipschitzBoundMatchesTheScriptsRule() throws {
        for name in ONNXFixtures.models {
            let net = try Network(model: try ONNXFixtures.model(name))
            let expected = try ONNXFixtures.layers(name)
            let norms = expected.map { $0["spectral_norm"] as? Double ?? .nan }
            let bound = try #require(try ONNXFixtures.expected(name)["lipschitz_bound"] as? Double)
            #expect(ONNXFixtures.relative(net.lipschitzBound(norms: norms), bound) < 1e-12, "\(name)")
        }
    }

    @Test func autoPadAndTypedDoubleData() throws {
        let net = try Network(model: try ONNXFixtures.model("autopad"))
        let expected = try ONNXFixtures.layers("autopad")
        #expect(net.layers.map(\.name) == ["same_upper", "pool"])
        for (layer, e) in zip(net.layers, expected) {
            #expect(layer.outputShape == e["output_shape"] as? [Int])
            let values = try #require(e["matrix"] as? [Double])
            let m = try DenseMatrix(rows: try #require(e["rows"] as? Int), columns: try #require(e["columns"] as? Int), entries: values)
            expectMatricesEqual(try layer.linear.dense(), m, rtol: 0, atol: 1e-14, layer.name)
        }
    }

    @Test func inputShapeOverridesTheDeclaredOne() throws {
        let net = try Network(model: try ONNXFixtures.model("generator"), inputShape: [8, 2, 2])
        #expect(net.layers[0].outputShape == [8, 5, 5])
        #expect(throws: ConvAlgebraError.self) { try Network(model: try ONNXFixtures.model("generator"), inputShape: [8, 2]) }
    }
}
