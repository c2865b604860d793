/// Bounds an IDX reader enforces before allocating anything.
public struct IDXLimits: Sendable, Equatable {
    /// The largest accepted rank (number of dimensions).
    public var maximumRank: Int
    /// The largest accepted data size in bytes (after decompression, header excluded).
    public var maximumDataByteCount: Int

    /// Creates limits.
    public init(maximumRank: Int = 4, maximumDataByteCount: Int = 512 << 20) {
        precondition((1...255).contains(maximumRank), "maximumRank must be 1...255")
        precondition(maximumDataByteCount > 0, "maximumDataByteCount must be positive")
        self.maximumRank = maximumRank
        self.maximumDataByteCount = maximumDataByteCount
    }

    /// Rank at most 4, at most 512 MiB of data.
    public static let standard = IDXLimits()
}

/// The validated header of an IDX file.
public struct IDXHeader: Sendable, Equatable {
    /// The element type.
    public var elementType: IDXElementType
    /// The extent of each dimension, outermost first (all positive).
    public var shape: [Int]

    /// The header size in bytes: 4 magic bytes and 4 per dimension.
    public var byteCount: Int { 4 + 4 * shape.count }
    /// The number of elements the header declares.
    public var elementCount: Int { shape.reduce(1, *) }
    /// The number of data bytes the header declares.
    public var dataByteCount: Int { elementCount * elementType.byteSize }
}

/// Reader for the IDX format (used by MNIST): a 4-byte magic `00 00 <type> <rank>`, one
/// big-endian `UInt32` per dimension, then the elements, big-endian, row-major.
///
/// Plain and gzip-compressed files are accepted (detected by the gzip magic `1f 8b`). Every
/// field is validated before memory is allocated for the data; a truncated, corrupt or hostile
/// file throws an `IDXError` naming the file.
public enum IDX {
    /// Reads and decodes the IDX file (plain or gzip) at `path`.
    public static func read(contentsOf path: String, limits: IDXLimits = .standard) throws -> IDXArray {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path: path, maximumByteCount: 4 + 4 * limits.maximumRank + limits.maximumDataByteCount)
        } catch let error as FileReadError {
            throw IDXError.unreadable(error)
        }
        return try parse(bytes, source: path, limits: limits)
    }

    /// Decodes an IDX file (plain or gzip) held in memory; `source` names it in errors.
    public static func parse(_ bytes: [UInt8], source: String = "<memory>", limits: IDXLimits = .standard) throws -> IDXArray {
        if Gzip.isGzip(bytes) {
            return try parseCompressed(bytes, source: source, limits: limits)
        }
        let header = try parseHeader(bytes, source: source, limits: limits)
        return bytes.withUnsafeBytes { buffer in
            IDXArray(shape: header.shape, elements: decode(
                UnsafeRawBufferPointer(rebasing: buffer[header.byteCount...]), as: header.elementType))
        }
    }

    /// Validates the header of an uncompressed IDX file held in memory, including that exactly
    /// `dataByteCount` bytes follow it.
    public static func parseHeader(_ bytes: [UInt8], source: String = "<memory>", limits: IDXLimits = .standard) throws -> IDXHeader {
        var reader = ArrayByteReader(bytes: bytes)
        let header = try readHeader(from: &reader, source: source, limits: limits)
        let available = bytes.count - header.byteCount
        guard available == header.dataByteCount else {
            throw IDXError.dataSizeMismatch(
                file: source, shape: header.shape, elementType: header.elementType,
                expected: header.dataByteCount, actual: available)
        }
        return header
    }

    /// Gzip path: decode the header from the stream first, then grow the data buffer only as
    /// decompressed bytes actually arrive (so a tiny file declaring a huge shape allocates little).
    private static func parseCompressed(_ bytes: [UInt8], source: String, limits: IDXLimits) throws -> IDXArray {
        do {
            var reader = InflaterByteReader(inflater: try Inflater(bytes))
            let header = try readHeader(from: &reader, source: source, limits: limits)
            let expected = header.dataByteCount
            var data = [UInt8]()
            var received = 0
            var chunk = min(expected, 1 << 20)
            while received < expected {
                var written = 0
                data = try ByteBuffer.appending(to: data, upTo: chunk) { buffer in
                    written = try reader.read(into: buffer)
                    return written
                }
                received += written
                if written < chunk {
                    throw IDXError.dataSizeMismatch(
                        file: source, shape: header.shape, elementType: header.elementType,
                        expected: expected, actual: received)
                }
                chunk = min(expected - received, max(chunk, received))  // Grow geometrically.
            }
            guard try reader.inflater.expectEnd() else { throw IDXError.trailingData(file: source, expected: expected) }
            let elements: IDXArray.Elements
            if header.elementType == .uint8 {
                elements = .uint8(data)
            } else {
                elements = data.withUnsafeBytes { decode($0, as: header.elementType) }
            }
            return IDXArray(shape: header.shape, elements: elements)
        } catch let error as GzipError {
            throw IDXError.decompression(file: source, error)
        }
    }

    /// Reads and validates the magic number and the dimensions.
    private static func readHeader(from reader: inout some ByteReader, source: String, limits: IDXLimits) throws -> IDXHeader {
        var magic = [UInt8](repeating: 0, count: 4)
        let magicCount = try magic.withUnsafeMutableBytes { try reader.read(into: $0) }
        guard magicCount == 4 else { throw IDXError.truncatedHeader(file: source, byteCount: magicCount, needed: 4) }
        guard magic[0] == 0 && magic[1] == 0 else { throw IDXError.badMagic(file: source, magic: magic) }
        guard let elementType = IDXElementType(rawValue: magic[2]) else {
            throw IDXError.unknownElementType(file: source, code: magic[2])
        }
        let rank = Int(magic[3])
        guard rank >= 1 && rank <= limits.maximumRank else {
            throw IDXError.invalidRank(file: source, rank: rank, maximum: limits.maximumRank)
        }
        var dimensionBytes = [UInt8](repeating: 0, count: 4 * rank)
        let dimensionCount = try dimensionBytes.withUnsafeMutableBytes { try reader.read(into: $0) }
        guard dimensionCount == 4 * rank else {
            throw IDXError.truncatedHeader(file: source, byteCount: 4 + dimensionCount, needed: 4 + 4 * rank)
        }
        let shape = (0..<rank).map { index in
            dimensionBytes[(4 * index)..<(4 * index + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        if let zero = shape.firstIndex(of: 0) { throw IDXError.zeroDimension(file: source, index: zero, shape: shape) }
        var byteCount = elementType.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw IDXError.sizeOverflow(file: source, shape: shape) }
            byteCount = product
        }
        guard byteCount <= limits.maximumDataByteCount else {
            throw IDXError.tooLarge(file: source, shape: shape, byteCount: byteCount, limit: limits.maximumDataByteCount)
        }
        return IDXHeader(elementType: elementType, shape: shape)
    }

    /// Decodes big-endian elements of `type` from `data` (whose size is a multiple of the element size).
    static func decode(_ data: UnsafeRawBufferPointer, as type: IDXElementType) -> IDXArray.Elements {
        let count = data.count / type.byteSize
        switch type {
        case .uint8:
            return .uint8(Array(data))
        case .int8:
            return .int8(data.map { Int8(bitPattern: $0) })
        case .int16:
            return .int16(decodeWords(data, count: count) { (word: UInt16) in Int16(bitPattern: word) })
        case .int32:
            return .int32(decodeWords(data, count: count) { (word: UInt32) in Int32(bitPattern: word) })
        case .float32:
            return .float32(decodeWords(data, count: count) { (word: UInt32) in Float(bitPattern: word) })
        case .float64:
            return .float64(decodeWords(data, count: count) { (word: UInt64) in Double(bitPattern: word) })
        }
    }

    @inline(__always)
    private static func decodeWords<Word: FixedWidthInteger, Element>(
        _ data: UnsafeRawBufferPointer, count: Int, _ convert: (Word) -> Element
    ) -> [Element] {
        guard count > 0, let base = data.baseAddress else { return [] }
        return [Element](unsafeUninitializedCapacity: count) { destination, initialized in
            for index in 0..<count {
                let word = Word(bigEndian: base.loadUnaligned(fromByteOffset: index * MemoryLayout<Word>.size, as: Word.self))
                (destination.baseAddress! + index).initialize(to: convert(word))
            }
            initialized = count
        }
    }
}

/// A source of bytes for the header/data reader.
protocol ByteReader {
    /// Fills `buffer` as far as the data allows; returns the number of bytes written.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads sequentially from an in-memory array.
struct ArrayByteReader: ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Reads decompressed bytes from an `Inflater`.
struct InflaterByteReader: ByteReader {
    let inflater: Inflater

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try inflater.read(into: buffer)
    }
}
