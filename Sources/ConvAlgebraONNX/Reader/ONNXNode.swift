import ConvAlgebraCore

/// One node of an ONNX graph: its op, name, inputs, outputs and attributes, read with ONNX's defaults.
public struct ONNXNode: Sendable {
    /// The node's name (torch.onnx.export writes the module path, e.g. `/layer1/layer1.0/conv1/Conv`); when the
    /// file has none, `<op>_<index>` so every message can point at the node.
    public let name: String
    /// The op type (`Conv`, `Relu`, …) and its domain (empty for the default ONNX domain).
    public let op: String, domain: String
    /// Input and output tensor names (an empty input name is an omitted optional input).
    public let inputs: [String], outputs: [String]
    /// The attributes by name.
    package let attributes: [String: Onnx_AttributeProto]

    package init(_ proto: Onnx_NodeProto, index: Int) {
        op = proto.opType
        domain = proto.domain
        name = proto.name.isEmpty ? "\(proto.opType)_\(index)" : proto.name
        inputs = proto.input
        outputs = proto.output
        var a: [String: Onnx_AttributeProto] = [:]
        for attr in proto.attribute { a[attr.name] = attr }
        attributes = a
    }

    /// An attribute's name, for error messages: `attribute 'pads' of node '/c1/Conv' (Conv)`.
    func describe(_ attribute: String) -> String { "attribute '\(attribute)' of node '\(name)' (\(op))" }

    /// An integer attribute, or `default`.
    func int(_ key: String, default value: Int) throws -> Int {
        guard let a = attributes[key] else { return value }
        guard a.type == .int || a.hasI else { throw ConvAlgebraError.invalidArgument("\(describe(key)) must be an integer") }
        guard abs(a.i) < (1 << 40) else { throw ConvAlgebraError.invalidArgument("\(describe(key)) is out of range: \(a.i)") }
        return Int(a.i)
    }

    /// An integer-list attribute, or nil when absent. Values are bounded (±2^40) so that sums cannot overflow.
    func ints(_ key: String) throws -> [Int]? {
        guard let a = attributes[key] else { return nil }
        guard a.type == .ints || !a.ints.isEmpty || a.type == .undefined else {
            throw ConvAlgebraError.invalidArgument("\(describe(key)) must be a list of integers")
        }
        guard a.ints.count <= 64, a.ints.allSatisfy({ abs($0) < (1 << 40) }) else {
            throw ConvAlgebraError.invalidArgument("\(describe(key)) is out of range: \(a.ints.prefix(8))")
        }
        return a.ints.map { Int($0) }
    }

    /// A float attribute, or `default`.
    func float(_ key: String, default value: Double) throws -> Double {
        guard let a = attributes[key] else { return value }
        guard a.type == .float || a.hasF else { throw ConvAlgebraError.invalidArgument("\(describe(key)) must be a float") }
        return Double(a.f)
    }

    /// A float-list attribute, or nil.
    func floats(_ key: String) -> [Double]? { attributes[key].map { $0.floats.map(Double.init) } }

    /// A string attribute, or `default`.
    func string(_ key: String, default value: String) throws -> String {
        guard let a = attributes[key] else { return value }
        guard let s = String(data: a.s, encoding: .utf8) else {
            throw ConvAlgebraError.invalidArgument("\(describe(key)) is not UTF-8 text")
        }
        return s
    }

    /// A tensor attribute (a `Constant` node's `value`), or nil.
    func tensor(_ key: String, budget: MemoryBudget) throws -> ONNXTensor? {
        guard let a = attributes[key] else { return nil }
        return try ONNXTensor(a.t, name: "\(name).\(key)", budget: budget)
    }
}

import Foundation
