import ConvAlgebra
import ConvAlgebraONNX
import Foundation
import Testing

/// The models and expectations written by `scripts/make_onnx_fixtures.py` (PyTorch export, autograd Jacobians,
/// NumPy SVDs), read through `Bundle.module`. A missing fixture fails the test (never a skip).
enum ONNXFixtures {
    static let models = ["convnet", "generator", "resblock"]

    static func path(_ name: String, _ ext: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/onnx"),
                     "missing fixture \(name).\(ext): run scripts/make_onnx_fixtures.py").path
    }

    static func model(_ name: String) throws -> ONNXModel { try ONNXModel(contentsOf: try path(name, "onnx")) }

    /// The expected document (`layers`, `lipschitz_bound`, `input_shape`).
    static func expected(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: try path(name, "json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func layers(_ name: String) throws -> [[String: Any]] {
        try #require(try expected(name)["layers"] as? [[String: Any]])
    }

    /// The Jacobian of a layer as a dense matrix, from its (row, column, value) non-zeros.
    static func jacobian(_ layer: [String: Any]) throws -> DenseMatrix<Double> {
        let file = try #require(layer["jacobian"] as? String)
        let t = try NPY.read(path: try path(String(file.dropLast(4)), "npy")).tensor(of: Double.self, what: file)
        let (m, n) = (try #require(layer["rows"] as? Int), try #require(layer["columns"] as? Int))
        var a = try DenseMatrix<Double>(zeros: m, n)
        for k in 0..<t.shape.dims[0] {
            a.entries[Int(t.scalars[3 * k]) * n + Int(t.scalars[3 * k + 1])] = t.scalars[3 * k + 2]
        }
        return a
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / Swift.max(abs(b), .leastNormalMagnitude) }
}
