/// The element type of an IDX file, stored in the third byte of its magic number.
public enum IDXElementType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0x08
    case int8 = 0x09
    case int16 = 0x0B
    case int32 = 0x0C
    case float32 = 0x0D
    case float64 = 0x0E

    /// The size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    public var description: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .int16: return "i16"
        case .int32: return "i32"
        case .float32: return "f32"
        case .float64: return "f64"
        }
    }
}

/// An n-dimensional array read from (or to be written as) an IDX file.
public struct IDXArray: Sendable, Equatable {
    /// The elements in row-major order, in their stored type.
    public enum Elements: Sendable, Equatable {
        case uint8([UInt8])
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case float32([Float])
        case float64([Double])

        /// The number of elements.
        public var count: Int {
            switch self {
            case .uint8(let values): return values.count
            case .int8(let values): return values.count
            case .int16(let values): return values.count
            case .int32(let values): return values.count
            case .float32(let values): return values.count
            case .float64(let values): return values.count
            }
        }

        /// The IDX type code of these elements.
        public var elementType: IDXElementType {
            switch self {
            case .uint8: return .uint8
            case .int8: return .int8
            case .int16: return .int16
            case .int32: return .int32
            case .float32: return .float32
            case .float64: return .float64
            }
        }
    }

    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The elements, `shape.reduce(1, *)` of them.
    public let elements: Elements

    /// Creates an array; `elements.count` must equal the product of `shape`, and the rank must
    /// be 1...255 with positive dimensions below 2^32 (what the IDX format can store).
    public init(shape: [Int], elements: Elements) {
        precondition((1...255).contains(shape.count), "IDX rank must be 1...255, got \(shape.count)")
        precondition(shape.allSatisfy { $0 > 0 && $0 <= Int(UInt32.max) }, "IDX dimensions must be in 1...2^32-1, got \(shape)")
        precondition(shape.reduce(1, *) == elements.count, "IDX shape \(shape) needs \(shape.reduce(1, *)) elements, got \(elements.count)")
        self.shape = shape
        self.elements = elements
    }

    /// The element type.
    public var elementType: IDXElementType { elements.elementType }

    /// The number of elements.
    public var elementCount: Int { elements.count }

    /// The elements converted to `Float` (exact for all types but large 32-bit integers and doubles).
    public func floatValues() -> [Float] {
        switch elements {
        case .uint8(let values): return values.map { Float($0) }
        case .int8(let values): return values.map { Float($0) }
        case .int16(let values): return values.map { Float($0) }
        case .int32(let values): return values.map { Float($0) }
        case .float32(let values): return values
        case .float64(let values): return values.map { Float($0) }
        }
    }

    /// The elements as `Int`, or `nil` for floating-point element types.
    public func integerValues() -> [Int]? {
        switch elements {
        case .uint8(let values): return values.map { Int($0) }
        case .int8(let values): return values.map { Int($0) }
        case .int16(let values): return values.map { Int($0) }
        case .int32(let values): return values.map { Int($0) }
        case .float32, .float64: return nil
        }
    }

    /// The array encoded as an (uncompressed) IDX file: magic, big-endian dimensions, big-endian elements.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, elementType.rawValue, UInt8(shape.count)]
        bytes.reserveCapacity(4 + 4 * shape.count + elementCount * elementType.byteSize)
        for dimension in shape { appendBigEndian(UInt32(dimension), to: &bytes) }
        switch elements {
        case .uint8(let values): bytes.append(contentsOf: values)
        case .int8(let values): bytes.append(contentsOf: values.map { UInt8(bitPattern: $0) })
        case .int16(let values): for value in values { appendBigEndian(UInt16(bitPattern: value), to: &bytes) }
        case .int32(let values): for value in values { appendBigEndian(UInt32(bitPattern: value), to: &bytes) }
        case .float32(let values): for value in values { appendBigEndian(value.bitPattern, to: &bytes) }
        case .float64(let values): for value in values { appendBigEndian(value.bitPattern, to: &bytes) }
        }
        return bytes
    }

    private func appendBigEndian<Word: FixedWidthInteger>(_ word: Word, to bytes: inout [UInt8]) {
        for shift in stride(from: Word.bitWidth - 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: word >> shift))
        }
    }
}
