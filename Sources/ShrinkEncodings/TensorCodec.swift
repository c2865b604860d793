/// The reference encoder and decoder of tensor payloads (layouts in docs/ENCODINGS.md).
///
/// Payload = side table, then codes, all little-endian:
/// - side table: affine → `channelCount` f32 scales then `channelCount` i32 zero points;
///   palette → `centroidCount` centroids (f32 or f16); floats → nothing;
/// - dense: the `elementCount` codes bit-packed at `codeBits` (`BitPacking` order);
/// - sparse: the `entryCount` gaps bit-packed at `gapBits`, then (from the next byte) the
///   `entryCount` entry codes bit-packed at `codeBits` (`RelativeIndexing`).
public enum TensorCodec {
    /// `tensor` encoded with `layout`.
    public static func encode(_ tensor: CodedTensor, layout: StorageLayout = .dense) throws(EncodingError) -> EncodedTensor {
        var payload = sideTable(of: tensor)
        let codeBits = tensor.format.codeBits
        var entryCount = 0
        switch layout {
        case .dense:
            payload += try BitPacking.pack(tensor.codes, bits: codeBits)
        case let .sparse(gapBits):
            let streams = try RelativeIndexing.split(tensor, gapBits: gapBits)
            entryCount = streams.entryCount
            payload += try BitPacking.pack(streams.gaps, bits: gapBits)
            payload += try BitPacking.pack(streams.codes, bits: codeBits)
        }
        let descriptor = EncodingDescriptor(elementCount: tensor.elementCount, format: tensor.format, layout: layout, entryCount: entryCount)
        return EncodedTensor(descriptor: descriptor, payload: payload)
    }

    /// The payload size `encode` would produce (the formula of `EncodingDescriptor.byteCount`),
    /// computed without encoding (sparse layouts count their entries).
    public static func byteCount(of tensor: CodedTensor, layout: StorageLayout = .dense) throws(EncodingError) -> Int {
        var entryCount = 0
        if case let .sparse(gapBits) = layout { entryCount = try RelativeIndexing.entryCount(of: tensor, gapBits: gapBits) }
        return try EncodingDescriptor(elementCount: tensor.elementCount, format: tensor.format, layout: layout, entryCount: entryCount).byteCount()
    }

    /// Decodes a payload. The descriptor is validated and the payload length compared with its
    /// byte count before anything is allocated; every code and table entry is then checked.
    ///
    /// - Parameter maximumElements: the largest element count accepted (a hostile descriptor
    ///   cannot make the decoder allocate more than about `8 · maximumElements` bytes).
    public static func decode(
        _ payload: [UInt8], descriptor: EncodingDescriptor, maximumElements: Int
    ) throws(EncodingError) -> CodedTensor {
        let expected = try descriptor.validate(maximumElements: maximumElements)
        guard payload.count == expected else {
            throw .byteCountMismatch(name: "tensor payload", expected: expected, actual: payload.count)
        }
        return try payload.withUnsafeBufferPointer { buffer throws(EncodingError) -> CodedTensor in
            let bytes = UnsafeRawBufferPointer(buffer)
            var offset = 0
            func take(_ count: Int) -> UnsafeRawBufferPointer {
                defer { offset += count }
                return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
            }
            let format = descriptor.format
            var scales = [Float](), zeroPoints = [Int32](), centroids = [Float]()
            switch format {
            case .float32, .float16:
                break
            case let .affine(_, _, channelCount):
                let scaleBytes = take(4 * channelCount), zeroPointBytes = take(4 * channelCount)
                scales = (0..<channelCount).map { Float(bitPattern: LittleEndian.uint32(scaleBytes, at: 4 * $0)) }
                zeroPoints = (0..<channelCount).map { Int32(bitPattern: LittleEndian.uint32(zeroPointBytes, at: 4 * $0)) }
            case let .palette(_, centroidCount, centroidFormat):
                let width = centroidFormat.byteWidth
                let table = take(width * centroidCount)
                centroids = (0..<centroidCount).map { index in
                    let code = width == 4 ? LittleEndian.uint32(table, at: 4 * index) : UInt32(LittleEndian.uint16(table, at: 2 * index))
                    return centroidFormat.value(ofCode: code)
                }
            }
            let codeBits = format.codeBits
            let codes: [UInt32]
            switch descriptor.layout {
            case .dense:
                let count = descriptor.elementCount
                codes = try BitPacking.unpack(take(BitPacking.packedByteCount(count: count, bits: codeBits)),
                                              count: count, bits: codeBits, maximumElements: maximumElements)
            case let .sparse(gapBits):
                let entries = descriptor.entryCount
                let gaps = try BitPacking.unpack(take(BitPacking.packedByteCount(count: entries, bits: gapBits)),
                                                 count: entries, bits: gapBits, maximumElements: maximumElements)
                let entryCodes = try BitPacking.unpack(take(BitPacking.packedByteCount(count: entries, bits: codeBits)),
                                                       count: entries, bits: codeBits, maximumElements: maximumElements)
                let zeroCodes = try zeroCodeTable(format: format, zeroPoints: zeroPoints)
                let inner = zeroCodes.count <= 1 ? 1 : max(descriptor.elementCount / zeroCodes.count, 1)
                codes = try RelativeIndexing.merge(
                    RelativeIndexing.Streams(gaps: gaps, codes: entryCodes), elementCount: descriptor.elementCount,
                    zeroCode: { position in zeroCodes.isEmpty ? 0 : zeroCodes[zeroCodes.count == 1 ? 0 : position / inner] })
            }
            return try CodedTensor(format: format, codes: codes, scales: scales, zeroPoints: zeroPoints, centroids: centroids)
        }
    }

    /// `decode` followed by `CodedTensor.values()`.
    public static func decodeValues(
        _ payload: [UInt8], descriptor: EncodingDescriptor, maximumElements: Int
    ) throws(EncodingError) -> [Float] {
        try decode(payload, descriptor: descriptor, maximumElements: maximumElements).values()
    }

    /// Per channel, the stored code of the zero point (affine); empty otherwise (zero code 0).
    private static func zeroCodeTable(format: ElementFormat, zeroPoints: [Int32]) throws(EncodingError) -> [UInt32] {
        guard case let .affine(bits, isSigned, _) = format else { return [] }
        let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
        let mask = UInt32((UInt64(1) << UInt64(bits)) - 1)
        return try zeroPoints.enumerated().map { (channel, zeroPoint) throws(EncodingError) in
            guard range.contains(zeroPoint) else {
                throw .invalidParameters("zero point \(zeroPoint) of channel \(channel) is outside \(range)")
            }
            return UInt32(bitPattern: zeroPoint) & mask
        }
    }

    /// The side table bytes of `tensor`.
    private static func sideTable(of tensor: CodedTensor) -> [UInt8] {
        var bytes = [UInt8]()
        switch tensor.format {
        case .float32, .float16:
            break
        case .affine:
            bytes.reserveCapacity(8 * tensor.scales.count)
            for scale in tensor.scales { LittleEndian.append(scale.bitPattern, to: &bytes) }
            for zeroPoint in tensor.zeroPoints { LittleEndian.append(UInt32(bitPattern: zeroPoint), to: &bytes) }
        case let .palette(_, _, centroidFormat):
            for centroid in tensor.centroids {
                let code = centroidFormat.code(of: centroid)
                if centroidFormat == .float32 { LittleEndian.append(code, to: &bytes) } else { LittleEndian.append(UInt16(code), to: &bytes) }
            }
        }
        return bytes
    }
}
