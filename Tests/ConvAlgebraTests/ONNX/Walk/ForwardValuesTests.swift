import ConvAlgebra
import ConvAlgebraONNX
import Foundation
import Testing

/// MaxPool linearised at an input (`Network(model:at:)`, `model analyze --at`): the values the walk feeds forward
/// through the convolutions, batch norms and activations reach the pool, whose layer is then its Jacobian there —
/// equal, entry for entry, to torch autograd's Jacobian of the pool at the value PyTorch's network feeds it.
@Suite struct ForwardValuesTests {
    static func input() throws -> [Double] {
        try NPY.read(path: try ONNXFixtures.path("resblock.at", "npy")).tensor(of: Double.self).scalars
    }

    static func expected() throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: try ONNXFixtures.path("resblock.maxpool", "json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func maxPoolIsItsJacobianAtTheInput() throws {
        let net = try Network(model: try ONNXFixtures.model("resblock"), at: try Self.input())
        let e = try Self.expected()
        let pool = try #require(net.layers.first { $0.name == e["name"] as? String })
        #expect(pool.op == "MaxPool(Jacobian)")
        #expect(pool.inputShape == e["input_shape"] as? [Int] && pool.outputShape == e["output_shape"] as? [Int])
        // A 0/1 selection: exact, no tolerance.
        let expected = try ONNXFixtures.jacobian(e)
        #expect(try pool.linear.dense().entries == expected.entries)
        #expect(!net.notes.contains { $0.kind == .maxPool })
        // The other layers are those of the walk without an input, in order.
        let plain = try Network(model: try ONNXFixtures.model("resblock"))
        #expect(net.layers.filter { $0.op != "MaxPool(Jacobian)" }.map(\.name) == plain.layers.map(\.name))
        #expect(plain.notes.contains { $0.kind == .maxPool })
        // Its σ₁ in the analysis is NumPy's.
        let analysis = try NetworkAnalysis(network: net)
        let sigma = try #require(analysis.layers.first { $0.layer.name == pool.name }).spectralNorm
        #expect(abs(sigma - (try #require(e["spectral_norm"] as? Double))) <= 1e-12)
    }

    @Test func anInputOfTheWrongSizeIsRefused() throws {
        #expect(throws: ConvAlgebraError.self) {
            try Network(model: try ONNXFixtures.model("resblock"), at: [Double](repeating: 0, count: 7))
        }
    }

    @Test func everyPoolLinearisesWhenEveryValueIsKnown() throws {
        // The convnet's max pool: with an input of zeros, every value is known (biases only) and the pool linearises.
        let model = try ONNXFixtures.model("convnet")
        let zeros = [Double](repeating: 0, count: 3 * 8 * 8)
        let net = try Network(model: model, at: zeros)
        let plain = try Network(model: model)
        let pools = plain.notes.filter { $0.kind == .maxPool }.count
        #expect(net.layers.filter { $0.op.hasSuffix("(Jacobian)") }.count == pools)
        #expect(pools > 0)
    }
}
