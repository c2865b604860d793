import Foundation
import ShrinkEncodings
import ShrinkGraph

extension ONNXConstant {
    /// The most elements one tensor may have (2^31: 8 GiB of floats, more than the reader's file
    /// limit can hold).
    static let maximumElementCount = 1 << 31

    /// Decodes an ONNX `TensorProto`, checking its shape against the data it carries before
    /// converting anything.
    /// - Throws: `ONNXError` naming the tensor: external data, an unsupported element type, a
    ///   negative or overflowing shape, or data of the wrong length.
    init(_ proto: Onnx_TensorProto) throws(ONNXError) {
        let name = proto.name.isEmpty ? "<unnamed>" : proto.name
        if proto.dataLocation == .external || !proto.externalData.isEmpty { throw .externalData(tensor: name) }
        guard let type = ONNXElementType(rawValue: Int(proto.dataType)) else {
            throw .unsupportedConfiguration(node: name, operatorType: "initializer",
                                            reason: "element type \(ONNXElementType.describe(proto.dataType)) is not supported")
        }
        // The product of the non-zero sizes is bounded too, so no sub-product of an empty
        // tensor's shape overflows later.
        var nonZeroProduct = 1
        var shape = [Int]()
        for dimension in proto.dims {
            guard dimension >= 0 else { throw .invalid("tensor '\(name)' has a negative dimension \(dimension)") }
            let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: max(1, Int(dimension)))
            guard !overflow, product <= Self.maximumElementCount else {
                throw .tooLarge("tensor '\(name)' has shape \(proto.dims), more than \(Self.maximumElementCount) elements")
            }
            nonZeroProduct = product
            shape.append(Int(dimension))
        }
        let count = shape.contains(0) ? 0 : nonZeroProduct
        func mismatch(_ found: Int, _ field: String) -> ONNXError {
            .invalid("tensor '\(name)' of shape \(shape) needs \(count) elements, its \(field) holds \(found)")
        }
        if !proto.rawData.isEmpty || Self.typedCount(proto, type) == 0 && count > 0 {
            let bytes = proto.rawData
            guard bytes.count == count * type.byteWidth else { throw mismatch(bytes.count / type.byteWidth, "raw_data") }
            self.init(elementType: type, shape: shape, storage: Self.decodeRaw(bytes, type: type, count: count))
            return
        }
        let found = Self.typedCount(proto, type)
        guard found == count else { throw mismatch(found, Self.typedField(type)) }
        let storage: Storage
        switch type {
        case .float: storage = .floats(proto.floatData)
        case .double: storage = .floats(proto.doubleData.map { Float($0) })
        case .float16: storage = .floats(proto.int32Data.map { HalfPrecision.float(fromBits: UInt16(truncatingIfNeeded: $0)) })
        case .bfloat16: storage = .floats(proto.int32Data.map { Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: $0)) << 16) })
        case .int64: storage = .integers(proto.int64Data.map { .fixed(Int($0)) })
        case .uint32, .uint64: storage = .integers(proto.uint64Data.map { .fixed(Int(truncatingIfNeeded: $0)) })
        case .int8: storage = .integers(proto.int32Data.map { .fixed(Int(Int8(truncatingIfNeeded: $0))) })
        case .uint8, .bool: storage = .integers(proto.int32Data.map { .fixed(Int(UInt8(truncatingIfNeeded: $0))) })
        case .int16: storage = .integers(proto.int32Data.map { .fixed(Int(Int16(truncatingIfNeeded: $0))) })
        case .uint16: storage = .integers(proto.int32Data.map { .fixed(Int(UInt16(truncatingIfNeeded: $0))) })
        case .int32: storage = .integers(proto.int32Data.map { .fixed(Int($0)) })
        }
        self.init(elementType: type, shape: shape, storage: storage)
    }

    /// How many elements the typed field that `type` uses holds.
    private static func typedCount(_ proto: Onnx_TensorProto, _ type: ONNXElementType) -> Int {
        switch type {
        case .float: proto.floatData.count
        case .double: proto.doubleData.count
        case .int64: proto.int64Data.count
        case .uint32, .uint64: proto.uint64Data.count
        default: proto.int32Data.count
        }
    }

    private static func typedField(_ type: ONNXElementType) -> String {
        switch type {
        case .float: "float_data"
        case .double: "double_data"
        case .int64: "int64_data"
        case .uint32, .uint64: "uint64_data"
        default: "int32_data"
        }
    }

    /// Little-endian `raw_data` of `count` elements of `type` (length already checked).
    private static func decodeRaw(_ data: Data, type: ONNXElementType, count: Int) -> Storage {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Storage in
            func load<T: FixedWidthInteger>(_: T.Type, _ index: Int) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
            }
            switch type {
            case .float: return .floats((0..<count).map { Float(bitPattern: load(UInt32.self, $0)) })
            case .double: return .floats((0..<count).map { Float(Double(bitPattern: load(UInt64.self, $0))) })
            case .float16: return .floats((0..<count).map { HalfPrecision.float(fromBits: load(UInt16.self, $0)) })
            case .bfloat16: return .floats((0..<count).map { Float(bitPattern: UInt32(load(UInt16.self, $0)) << 16) })
            case .uint8, .bool: return .integers((0..<count).map { .fixed(Int(load(UInt8.self, $0))) })
            case .int8: return .integers((0..<count).map { .fixed(Int(load(Int8.self, $0))) })
            case .uint16: return .integers((0..<count).map { .fixed(Int(load(UInt16.self, $0))) })
            case .int16: return .integers((0..<count).map { .fixed(Int(load(Int16.self, $0))) })
            case .int32: return .integers((0..<count).map { .fixed(Int(load(Int32.self, $0))) })
            case .uint32: return .integers((0..<count).map { .fixed(Int(load(UInt32.self, $0))) })
            case .int64: return .integers((0..<count).map { .fixed(Int(load(Int64.self, $0))) })
            case .uint64: return .integers((0..<count).map { .fixed(Int(truncatingIfNeeded: load(UInt64.self, $0))) })
            }
        }
    }
}
