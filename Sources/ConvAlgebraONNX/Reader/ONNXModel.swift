import Foundation
import SwiftProtobuf
import ConvAlgebraCore
import ConvAlgebraIO

/// An ONNX model file, read into the parts the graph walk needs: the nodes in order, the initializers
/// (constant tensors) and the graph's inputs and outputs with their declared shapes.
///
/// Reading is bounded: the file must be under ``maximumFileBytes`` (protobuf's own 2 GiB limit) and, with the
/// decoded messages (about three times its size), within the memory budget; nesting is limited by
/// SwiftProtobuf's depth limit; every tensor's size is overflow-checked and budgeted before it is decoded.
///
/// ```
/// let model = try ONNXModel(contentsOf: "resnet18.onnx")
/// model.nodes.count, model.inputShape     // [1, 3, 224, 224]
/// ```
public struct ONNXModel: Sendable {
    /// The nodes in file order (ONNX requires a topological order; the walk checks it).
    public let nodes: [ONNXNode]
    /// The initializers by name.
    public let initializers: [String: ONNXTensor]
    /// The graph's input names that are not initializers (the network's data inputs), in order.
    public let inputNames: [String]
    /// The declared shape of each data input: an extent per axis, nil for a symbolic or missing one
    /// (`dim_param`, e.g. a batch named `N`); nil when the input declares no shape.
    public let declaredShapes: [String: [Int?]]
    /// The graph's output names.
    public let outputNames: [String]
    /// The opset of the default domain (0 when the file names none).
    public let opsetVersion: Int
    /// `producer_name` and `producer_version` (e.g. `pytorch 2.5.0`).
    public let producer: String

    /// The largest file read: protobuf messages are limited to 2 GiB.
    public static let maximumFileBytes = Int(Int32.max)

    /// Reads the model at `path`.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when the file cannot be read; ``ConvAlgebraError/invalidArgument(_:)``
    ///   when it is not an ONNX model (not a protobuf `ModelProto`, truncated, no graph); the errors of
    ///   ``init(bytes:budget:)``.
    public init(contentsOf path: String, budget: MemoryBudget = .default) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ConvAlgebraError.io("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ConvAlgebraError.io("cannot stat '\(path)': \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ConvAlgebraError.io("'\(path)' is not a regular file") }
        let size = Int(st.st_size)
        guard size <= Self.maximumFileBytes else {
            throw ConvAlgebraError.invalidArgument("'\(path)' is \(size) bytes; an ONNX model file is at most 2 GiB (protobuf's limit)")
        }
        try budget.check("the model file '\(path)' and its decoded messages", count: size, elementBytes: 4)
        var bytes: [UInt8] = []
        // One byte past the size: a file that grew while being read is noticed, not silently cut.
        try SystemIO.read(fd, upTo: size + 1, into: &bytes, path: path)
        guard bytes.count == size else { throw ConvAlgebraError.io("'\(path)' changed size while being read") }
        do {
            try self.init(bytes: bytes, budget: budget)
        } catch let e as ConvAlgebraError {
            throw e
        }
    }

    /// Decodes a model from its serialized bytes.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for bytes that are not a complete `ModelProto` with a
    ///   graph; the tensor errors of ``ONNXTensor``.
    public init(bytes: [UInt8], budget: MemoryBudget = .default) throws {
        try budget.check("a model of \(bytes.count) bytes and its decoded messages", count: bytes.count, elementBytes: 4)
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw ConvAlgebraError.invalidArgument("not an ONNX model (the protobuf does not decode: \(Self.describe(error)))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw ConvAlgebraError.invalidArgument("not an ONNX model: no graph with nodes (a truncated or foreign file?)")
        }
        let g = proto.graph
        var inits: [String: ONNXTensor] = [:]
        for t in g.initializer { inits[t.name] = try ONNXTensor(t, name: t.name, budget: budget) }
        if !g.sparseInitializer.isEmpty {
            throw ConvAlgebraError.unsupported("sparse initializers are not read ('\(g.sparseInitializer[0].values.name)')")
        }
        initializers = inits
        nodes = g.node.enumerated().map { ONNXNode($0.element, index: $0.offset) }
        var names: [String] = [], shapes: [String: [Int?]] = [:]
        for v in g.input where inits[v.name] == nil {
            names.append(v.name)
            if v.type.tensorType.hasShape {
                shapes[v.name] = v.type.tensorType.shape.dim.map { d in
                    if case .dimValue(let n)? = d.value, n >= 0, n <= Int64(Int32.max) { return Int(n) }
                    return nil
                }
            }
        }
        inputNames = names
        declaredShapes = shapes
        outputNames = g.output.map(\.name)
        opsetVersion = Int(proto.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" })?.version ?? 0)
        producer = [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The shape of the first data input with the batch set to 1: the declared one, with `given` (one sample,
    /// without the batch) replacing it when present.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when the model has no data input, or a non-batch extent
    ///   is symbolic and no shape is given, or the given shape's rank differs from the declared one.
    public func inputShape(given: [Int]? = nil) throws -> [Int] {
        guard let input = inputNames.first else { throw ConvAlgebraError.invalidArgument("the model has no data input") }
        guard inputNames.count == 1 else {
            throw ConvAlgebraError.unsupported("the model has \(inputNames.count) data inputs (\(inputNames.joined(separator: ", "))); one is analysed")
        }
        let declared = declaredShapes[input]
        if let given {
            guard given.allSatisfy({ $0 >= 1 }) else {
                throw ConvAlgebraError.invalidArgument("the input shape must be positive, got \(given)")
            }
            if let declared, declared.count != given.count + 1 {
                throw ConvAlgebraError.invalidArgument(
                    "--input-shape \(given) has rank \(given.count), but input '\(input)' has \(declared.count - 1) axes besides the batch")
            }
            return [1] + given
        }
        guard let declared, declared.count >= 2 else {
            throw ConvAlgebraError.invalidArgument("input '\(input)' declares no shape: give one with --input-shape (one sample, e.g. 3,224,224)")
        }
        let rest = declared.dropFirst()
        guard rest.allSatisfy({ $0 != nil && $0! >= 1 }) else {
            throw ConvAlgebraError.invalidArgument(
                "input '\(input)' has symbolic or empty extents \(declared.map { $0.map(String.init) ?? "?" }): give the shape with --input-shape (one sample, e.g. 3,224,224)")
        }
        return [1] + rest.map { $0! }
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? BinaryDecodingError {
            switch e {
            case .truncated: return "truncated"
            case .malformedProtobuf: return "malformed"
            case .messageDepthLimit: return "nested too deeply"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
