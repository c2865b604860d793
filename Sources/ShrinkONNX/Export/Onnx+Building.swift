import Foundation
import ShrinkGraph

// Constructors of the protobuf messages the exporter writes.

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }
}

extension Onnx_TensorProto {
    /// A tensor of `type` holding `bytes` (little-endian elements) as `raw_data`.
    init(name: String, type: ONNXElementType, shape: [Int], bytes: Data) {
        self.init()
        self.name = name
        dataType = Int32(type.rawValue)
        dims = shape.map(Int64.init)
        rawData = bytes
    }

    /// An fp32 tensor.
    init(name: String, floats: [Float], shape: [Int]) {
        var bytes = Data(capacity: floats.count * 4)
        for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, type: .float, shape: shape, bytes: bytes)
    }

    /// An int64 tensor (shapes, axes).
    init(name: String, int64s: [Int], shape: [Int]) {
        var bytes = Data(capacity: int64s.count * 8)
        for value in int64s { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, type: .int64, shape: shape, bytes: bytes)
    }

    /// An 8-bit integer tensor: int8 when `signed` (codes in −128…127), else uint8 (0…255).
    init(name: String, codes: [Int32], signed: Bool, shape: [Int]) {
        let bytes = Data(codes.map { UInt8(truncatingIfNeeded: $0) })
        self.init(name: name, type: signed ? .int8 : .uint8, shape: shape, bytes: bytes)
    }
}

extension Onnx_ValueInfoProto {
    /// A float tensor value with `shape`: fixed sizes as `dim_value`, symbols (the batch) as
    /// `dim_param`.
    init(name: String, shape: ValueShape?) {
        self.init()
        self.name = name
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(ONNXElementType.float.rawValue)
        if let shape {
            var proto = Onnx_TensorShapeProto()
            proto.dim = shape.dimensions.map { dimension in
                var result = Onnx_TensorShapeProto.Dimension()
                switch dimension {
                case let .fixed(size): result.dimValue = Int64(size)
                case let .symbol(symbol): result.dimParam = symbol
                }
                return result
            }
            tensorType.shape = proto
        }
        type.tensorType = tensorType
    }
}
