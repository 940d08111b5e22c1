import ConvAlgebra
@testable import ConvAlgebraONNX
import Foundation
import Testing

/// Reading models: the fixtures' graphs and tensors, and hostile files — truncated, foreign, external data, huge
/// extents, data that does not fill its shape, graphs out of order — each refused with one clear error.
@Suite struct ONNXModelTests {
    /// A one-Conv model over `x` with the given weight tensor and input dims.
    static func model(weight: Onnx_TensorProto, inputDims: [Int64?] = [1, 1, 5], nodes: [Onnx_NodeProto]? = nil) throws -> [UInt8] {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto(); opset.version = 17
        m.opsetImport = [opset]
        var g = Onnx_GraphProto()
        var conv = Onnx_NodeProto()
        conv.opType = "Conv"; conv.name = "conv"; conv.input = ["x", "w"]; conv.output = ["y"]
        g.node = nodes ?? [conv]
        g.initializer = [weight]
        var x = Onnx_ValueInfoProto(); x.name = "x"
        var t = Onnx_TypeProto.Tensor(); t.elemType = 1
        var shape = Onnx_TensorShapeProto()
        shape.dim = inputDims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        t.shape = shape
        x.type.tensorType = t
        var y = Onnx_ValueInfoProto(); y.name = "y"
        g.input = [x]; g.output = [y]
        m.graph = g
        return try m.serializedBytes()
    }

    static func weight(dims: [Int64], floats: [Float] = [], raw: [UInt8]? = nil, type: Int32 = 1) -> Onnx_TensorProto {
        var w = Onnx_TensorProto()
        w.name = "w"; w.dims = dims; w.dataType = type; w.floatData = floats
        if let raw { w.rawData = Data(raw) }
        return w
    }

    @Test func readsTheFixtures() throws {
        let m = try ONNXFixtures.model("convnet")
        #expect(m.inputNames == ["input"] && m.outputNames == ["output"])
        #expect(try m.inputShape() == [1, 3, 8, 8])
        #expect(m.opsetVersion == 17 && m.producer.hasPrefix("pytorch"))
        #expect(m.nodes.first?.name == "/c1/Conv" && m.nodes.first?.op == "Conv")
        // float32 raw data, widened exactly.
        let w = try #require(m.initializers[m.nodes[0].inputs[1]])
        #expect(w.dims == [6, 3, 3, 3] && w.values.count == 162 && w.values.allSatisfy { Double(Float($0)) == $0 })
    }

    @Test func typedAndRawDataAgree() throws {
        let values: [Float] = [1, -2, 0.5]
        let raw = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        let a = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: values)))
        let b = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], raw: raw)))
        #expect(a.initializers["w"] == b.initializers["w"])
        #expect(a.initializers["w"]?.values == [1, -2, 0.5])
    }

    @Test func refusesHostileFiles() throws {
        let truncated = try ONNXFixtures.path("truncated", "onnx")
        let e1 = try #require(throws: ConvAlgebraError.self) { try ONNXModel(contentsOf: truncated) }
        #expect("\(e1)".contains("not an ONNX model"))
        let external = try ONNXFixtures.path("external", "onnx")
        let e2 = try #require(throws: ConvAlgebraError.self) { try ONNXModel(contentsOf: external) }
        #expect("\(e2)".contains("external data"))
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: Array("not a model at all".utf8)) }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: []) }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(contentsOf: "/nonexistent/model.onnx") }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(contentsOf: "/tmp") }
    }

    @Test func refusesTensorsThatDoNotFitTheirShape() throws {
        // 2^31 × 2^31 × 4 elements: overflow-checked and budgeted, never allocated.
        let huge = Self.weight(dims: [Int64(Int32.max), Int64(Int32.max), 4], floats: [1])
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: try Self.model(weight: huge)) }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2]))) }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], raw: [0, 0, 0]))) }
        #expect(throws: ConvAlgebraError.self) { try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [-1, 1, 3]))) }
        let half = Self.weight(dims: [1, 1, 1], raw: [0, 0], type: 10)   // float16
        let e = try #require(throws: ConvAlgebraError.self) { try ONNXModel(bytes: try Self.model(weight: half)) }
        #expect("\(e)".contains("float16"))
        let budgetError = try #require(throws: ConvAlgebraError.self) {
            try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2, 3])), budget: MemoryBudget(bytes: 64))
        }
        #expect("\(budgetError)".contains("budget"))
    }

    @Test func inputShapeNeedsConcreteExtents() throws {
        let symbolic = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2, 3]), inputDims: [nil, 1, nil]))
        let e = try #require(throws: ConvAlgebraError.self) { try symbolic.inputShape() }
        #expect("\(e)".contains("--input-shape"))
        #expect(try symbolic.inputShape(given: [1, 9]) == [1, 1, 9])
        #expect(throws: ConvAlgebraError.self) { try symbolic.inputShape(given: [9]) }
        #expect(throws: ConvAlgebraError.self) { try symbolic.inputShape(given: [1, 0]) }
        // A symbolic batch alone is read as 1.
        let batch = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2, 3]), inputDims: [nil, 1, 5]))
        #expect(try batch.inputShape() == [1, 1, 5])
    }

    @Test func walkRefusesBrokenGraphs() throws {
        var relu = Onnx_NodeProto()
        relu.opType = "Relu"; relu.name = "r"; relu.input = ["missing"]; relu.output = ["y"]
        let outOfOrder = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2, 3]), nodes: [relu]))
        let e = try #require(throws: ConvAlgebraError.self) { try Network(model: outOfOrder) }
        #expect("\(e)".contains("'missing'") && "\(e)".contains("'r'"))
        var bn = Onnx_NodeProto()
        bn.opType = "Conv"; bn.name = "c"; bn.input = ["x", "w"]; bn.output = ["y"]
        var pads = Onnx_AttributeProto(); pads.name = "pads"; pads.type = .ints; pads.ints = [1]
        bn.attribute = [pads]
        let badPads = try ONNXModel(bytes: try Self.model(weight: Self.weight(dims: [1, 1, 3], floats: [1, 2, 3]), nodes: [bn]))
        let e2 = try #require(throws: ConvAlgebraError.self) { try Network(model: badPads) }
        #expect("\(e2)".contains("pads") && "\(e2)".contains("'c'"))
    }

    @Test func unsupportedOpsNameTheOpAndNode() throws {
        let m = try ONNXFixtures.model("unsupported")
        let e = try #require(throws: ConvAlgebraError.self) { try Network(model: m) }
        #expect("\(e)".contains("'Softmax'") && "\(e)".contains("'soft'") && "\(e)".contains("--skip"))
        let skipped = try Network(model: m, skipUnsupported: true)
        #expect(skipped.layers.map(\.name) == ["conv"])
        #expect(skipped.notes.contains { $0.kind == .skipped && $0.name == "soft" })
        #expect(skipped.lipschitzBound(norms: [1]).isNaN)
    }
}
