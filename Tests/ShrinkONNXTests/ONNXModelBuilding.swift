import Foundation
@testable import ShrinkONNX

/// Builds small ONNX models in tests, as an exporter would write them.
struct ONNXModelBuilding {
    var nodes = [Onnx_NodeProto]()
    var initializers = [Onnx_TensorProto]()
    var inputs = [Onnx_ValueInfoProto]()
    var outputs = [Onnx_ValueInfoProto]()
    var opset = 17

    /// A float input with `dimensions` (a string is a symbolic dimension).
    mutating func input(_ name: String, _ dimensions: [Any], elementType: Int32 = 1) {
        inputs.append(Self.valueInfo(name, dimensions, elementType: elementType))
    }

    mutating func output(_ name: String) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var type = Onnx_TypeProto()
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = 1
        type.tensorType = tensorType
        info.type = type
        outputs.append(info)
    }

    static func valueInfo(_ name: String, _ dimensions: [Any], elementType: Int32 = 1) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var shape = Onnx_TensorShapeProto()
        for dimension in dimensions {
            var entry = Onnx_TensorShapeProto.Dimension()
            if let size = dimension as? Int { entry.dimValue = Int64(size) } else { entry.dimParam = "\(dimension)" }
            shape.dim.append(entry)
        }
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = elementType
        tensorType.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        info.type = type
        return info
    }

    mutating func initializer(_ name: String, _ shape: [Int], _ values: [Float]) {
        initializers.append(Self.floatTensor(name, shape, values))
    }

    mutating func integerInitializer(_ name: String, _ values: [Int64], shape: [Int]? = nil) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = 7
        tensor.dims = (shape ?? [values.count]).map(Int64.init)
        tensor.int64Data = values
        initializers.append(tensor)
    }

    static func floatTensor(_ name: String, _ shape: [Int], _ values: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = 1
        tensor.dims = shape.map(Int64.init)
        tensor.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        return tensor
    }

    /// Adds a node; attribute values are Int, [Int], Float, [Float] or String.
    mutating func node(_ type: String, _ inputs: [String], _ outputs: [String], name: String? = nil,
                       domain: String = "", _ attributes: [String: Any] = [:]) {
        var node = Onnx_NodeProto()
        node.opType = type
        node.domain = domain
        node.name = name ?? "\(type)_\(nodes.count)"
        node.input = inputs
        node.output = outputs
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            var attribute = Onnx_AttributeProto()
            attribute.name = key
            switch value {
            case let v as Int: attribute.type = .int; attribute.i = Int64(v)
            case let v as [Int]: attribute.type = .ints; attribute.ints = v.map(Int64.init)
            case let v as Float: attribute.type = .float; attribute.f = v
            case let v as [Float]: attribute.type = .floats; attribute.floats = v
            case let v as String: attribute.type = .string; attribute.s = Data(v.utf8)
            default: fatalError("unsupported attribute value \(value)")
            }
            node.attribute.append(attribute)
        }
        nodes.append(node)
    }

    var model: ONNXModel {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.initializer = initializers
        graph.input = inputs
        graph.output = outputs
        var proto = Onnx_ModelProto()
        proto.irVersion = 8
        proto.producerName = "shrink-tests"
        var opsetImport = Onnx_OperatorSetIdProto()
        opsetImport.domain = ""
        opsetImport.version = Int64(opset)
        proto.opsetImport = [opsetImport]
        proto.graph = graph
        return ONNXModel(proto: proto)
    }

    var bytes: [UInt8] { try! model.serializedBytes() }
}
