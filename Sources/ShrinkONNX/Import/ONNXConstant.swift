import Foundation
import ShrinkGraph
import ShrinkTensor

/// A tensor whose value is known while importing: an initializer, a `Constant` node, or the
/// result of folding shape arithmetic (`Shape` → `Gather` → `Concat` → `Reshape`).
///
/// Integer tensors that describe shapes may hold the symbolic batch size (`Shape` of an
/// activation), so integers are `Dimension`s; floating-point tensors are `Float` (doubles and
/// halves are converted, the runtime computes in single precision).
struct ONNXConstant: Equatable {
    /// The element type the model declared.
    var elementType: ONNXElementType
    /// The ONNX shape (`[]` for a scalar).
    var shape: [Int]
    /// The elements, row-major.
    var storage: Storage

    enum Storage: Equatable {
        case floats([Float])
        /// Integers, each `.fixed(value)` or a symbol such as the batch size.
        case integers([Dimension])
    }

    init(elementType: ONNXElementType, shape: [Int], storage: Storage) {
        self.elementType = elementType
        self.shape = shape
        self.storage = storage
    }

    /// A float tensor.
    init(shape: [Int], floats: [Float]) {
        self.init(elementType: .float, shape: shape, storage: .floats(floats))
    }

    /// A 64-bit integer tensor (shape arithmetic).
    init(shape: [Int], integers: [Dimension]) {
        self.init(elementType: .int64, shape: shape, storage: .integers(integers))
    }

    var count: Int {
        switch storage {
        case let .floats(values): values.count
        case let .integers(values): values.count
        }
    }

    /// The values as floats, or nil when one is symbolic.
    var floats: [Float]? {
        switch storage {
        case let .floats(values): return values
        case let .integers(values):
            var result = [Float]()
            result.reserveCapacity(values.count)
            for value in values {
                guard let fixed = value.fixedValue else { return nil }
                result.append(Float(fixed))
            }
            return result
        }
    }

    /// The values as (possibly symbolic) integers; floats are truncated toward zero, as ONNX's
    /// `Cast` does.
    var dimensions: [Dimension] {
        switch storage {
        case let .integers(values): values
        case let .floats(values): values.map { $0.isFinite ? .fixed(Int(exactly: $0.rounded(.towardZero)) ?? 0) : .fixed(0) }
        }
    }

    /// The values as integers, or nil when one is symbolic.
    var integers: [Int]? {
        let values = dimensions.map(\.fixedValue)
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        return values.map { $0! }
    }

    /// The tensor as Shrink stores a weight (`[1]` for a scalar), or nil when symbolic.
    func tensor() -> Tensor? {
        guard let values = floats else { return nil }
        return Tensor(shape: shape.isEmpty ? [] : shape, scalars: values)
    }
}

/// The element types of ONNX tensors (`TensorProto.DataType`) that Shrink reads.
enum ONNXElementType: Int, CaseIterable {
    case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, bool = 9
    case float16 = 10, double = 11, uint32 = 12, uint64 = 13, bfloat16 = 16

    /// Bytes per element in `raw_data`.
    var byteWidth: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .float, .int32, .uint32: 4
        case .int64, .double, .uint64: 8
        }
    }

    var isFloatingPoint: Bool { [.float, .float16, .double, .bfloat16].contains(self) }

    /// `float32`, `uint8`, ….
    var name: String {
        switch self {
        case .float: "float32"
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .bool: "bool"
        case .float16: "float16"
        case .double: "float64"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .bfloat16: "bfloat16"
        }
    }

    /// The name of an ONNX data type code, supported or not (for error messages).
    static func describe(_ code: Int32) -> String {
        if let type = ONNXElementType(rawValue: Int(code)) { return type.name }
        switch code {
        case 8: return "string"
        case 14: return "complex64"
        case 15: return "complex128"
        case 0: return "undefined"
        default: return "data type \(code)"
        }
    }
}
