import Foundation
import ConvAlgebraCore

/// A constant tensor of an ONNX model (an initializer, a `Constant` node's value, or a folded shape
/// computation), its elements widened to `Double`.
///
/// Element types: `FLOAT` (1), `DOUBLE` (11), `INT64` (7), `INT32` (6), `INT8`/`UINT8`/`INT16`/`UINT16`/`BOOL`
/// through `int32_data`; stored in `raw_data` (little-endian, as ONNX specifies) or in the typed field. Data
/// stored outside the file (`data_location = EXTERNAL`) is refused, as is any other element type.
public struct ONNXTensor: Sendable, Equatable {
    /// The extents (the batch included, as ONNX writes them).
    public let dims: [Int]
    /// The elements in C order.
    public let values: [Double]
    /// ONNX's element type code.
    public let dataType: Int32

    public init(dims: [Int], values: [Double], dataType: Int32 = 11) {
        self.dims = dims; self.values = values; self.dataType = dataType
    }

    /// The elements as integers (shape computations), those beyond ±2^62 clamped there (Slice's `INT64_MIN` /
    /// `INT64_MAX` mean "to the end"); fractional values are refused.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a non-integral or non-finite value.
    public func integers(_ what: String) throws -> [Int] {
        let limit = Double(1 << 62)
        return try values.map { v in
            guard v.rounded() == v else {
                throw ConvAlgebraError.invalidArgument("\(what) must hold integers, got \(v)")
            }
            return Int(Swift.min(Swift.max(v, -limit), limit))
        }
    }

    /// Decodes `proto`, checking the sizes before any allocation.
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` for external data or an element type other than the ones
    ///   above; ``ConvAlgebraError/invalidArgument(_:)`` for negative extents or data that does not fill them;
    ///   an overflow or memory-budget error.
    package init(_ proto: Onnx_TensorProto, name: String, budget: MemoryBudget) throws {
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            throw ConvAlgebraError.unsupported(
                "tensor '\(name)' keeps its data outside the model file (external data); save the model with the weights inside (onnx.save_model(model, path, save_as_external_data=False))")
        }
        guard proto.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw ConvAlgebraError.invalidArgument("tensor '\(name)' has invalid extents \(proto.dims)")
        }
        let dims = proto.dims.map { Int($0) }
        let count = try dims.reduce(1) { try Checked.multiply($0, $1, "the size of tensor '\(name)'") }
        try budget.check("tensor '\(name)' (\(count) elements)", count: count, elementBytes: MemoryLayout<Double>.stride)
        let type = proto.dataType
        let raw = proto.rawData
        let values: [Double]
        func fill<T>(_ typed: [T], _ width: Int, _ decode: (UnsafeRawBufferPointer, Int) -> Double, _ widen: (T) -> Double) throws -> [Double] {
            if !raw.isEmpty {
                let bytes = try Checked.multiply(count, width, "the size of tensor '\(name)'")
                guard raw.count == bytes else {
                    throw ConvAlgebraError.invalidArgument(
                        "tensor '\(name)' of shape \(dims) needs \(bytes) bytes of raw data, has \(raw.count)")
                }
                return raw.withUnsafeBytes { p in (0..<count).map { decode(p, $0 * width) } }
            }
            guard typed.count == count else {
                throw ConvAlgebraError.invalidArgument("tensor '\(name)' of shape \(dims) needs \(count) elements, has \(typed.count)")
            }
            return typed.map(widen)
        }
        switch type {
        case 1: values = try fill(proto.floatData, 4, { p, o in Double(Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)))) }, Double.init)
        case 11: values = try fill(proto.doubleData, 8, { p, o in Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self))) }, { $0 })
        case 7: values = try fill(proto.int64Data, 8, { p, o in Double(Int64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int64.self))) }, Double.init)
        case 6: values = try fill(proto.int32Data, 4, { p, o in Double(Int32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int32.self))) }, Double.init)
        case 2, 3, 9: values = try fill(proto.int32Data, 1, { p, o in type == 3 ? Double(p.load(fromByteOffset: o, as: Int8.self)) : Double(p.load(fromByteOffset: o, as: UInt8.self)) }, Double.init)
        default:
            throw ConvAlgebraError.unsupported(
                "tensor '\(name)' has ONNX element type \(type) (\(Self.typeName(type))); float32, float64 and integer tensors are read")
        }
        self.init(dims: dims, values: values, dataType: type)
    }

    static func typeName(_ t: Int32) -> String {
        [1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool",
         10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"][t] ?? "unknown"
    }
}
