/// How each element of a tensor is represented as an unsigned integer code, and which side
/// tables (scales, zero points, centroids) the payload carries before the codes.
public enum ElementFormat: Codable, Equatable, Sendable {
    /// The binary32 bit pattern (32-bit codes); no side table.
    case float32
    /// The binary16 bit pattern (16-bit codes); no side table.
    case float16
    /// Affine integer codes `q` of `bits` bits (1...16), stored as `q` (unsigned) or as the low
    /// `bits` bits of its two's complement (signed). Value `(q − zeroPoint) · scale` with one
    /// scale and zero point per channel: `channelCount == 1` is per tensor, otherwise channels
    /// run along axis 0 (element `i` is in channel `i / (elementCount / channelCount)`).
    case affine(bits: Int, isSigned: Bool, channelCount: Int)
    /// Indices of `bits` bits (1...16) into a codebook of `centroidCount` centroids stored as
    /// `centroidFormat`. Value `centroids[index]`.
    case palette(bits: Int, centroidCount: Int, centroidFormat: FloatFormat)

    /// The bit widths affine codes and palette indices may have.
    public static let supportedIntegerBits: ClosedRange<Int> = 1...16

    /// Bits per element code: 32, 16 or `bits`.
    public var codeBits: Int {
        switch self {
        case .float32: return 32
        case .float16: return 16
        case let .affine(bits, _, _): return bits
        case let .palette(bits, _, _): return bits
        }
    }

    /// Bytes of the side table that precedes the codes: 0 for floats; `8 · channelCount`
    /// (scales as f32, then zero points as i32) for affine; `centroidCount · 4 or 2` for palettes.
    /// Nil when the parameters make it overflow.
    public var sideTableByteCount: Int? {
        switch self {
        case .float32, .float16: return 0
        case let .affine(_, _, channelCount): return CheckedSize.product(channelCount, 8)
        case let .palette(_, centroidCount, centroidFormat): return CheckedSize.product(centroidCount, centroidFormat.byteWidth)
        }
    }

    /// The smallest and largest affine integer code of a width and signedness.
    public static func affineCodeRange(bits: Int, isSigned: Bool) -> ClosedRange<Int32> {
        isSigned ? -(Int32(1) << (bits - 1))...((Int32(1) << (bits - 1)) - 1) : 0...((Int32(1) << bits) - 1)
    }

    /// Checks widths and table sizes against `elementCount`.
    func validate(elementCount: Int) throws(EncodingError) {
        switch self {
        case .float32, .float16:
            return
        case let .affine(bits, _, channelCount):
            guard Self.supportedIntegerBits.contains(bits) else {
                throw .invalidBitWidth(name: "affine codes", bits: bits, allowed: Self.supportedIntegerBits)
            }
            guard channelCount >= 0 else { throw .negativeCount(name: "affine channels", count: channelCount) }
            if elementCount == 0 { return }
            guard channelCount >= 1, channelCount <= elementCount, elementCount % channelCount == 0 else {
                throw .invalidParameters("\(channelCount) affine channels do not divide \(elementCount) elements")
            }
        case let .palette(bits, centroidCount, _):
            guard Self.supportedIntegerBits.contains(bits) else {
                throw .invalidBitWidth(name: "palette indices", bits: bits, allowed: Self.supportedIntegerBits)
            }
            guard centroidCount >= 0 else { throw .negativeCount(name: "palette centroids", count: centroidCount) }
            guard centroidCount <= 1 << bits else {
                throw .invalidParameters("\(centroidCount) centroids do not fit \(bits)-bit indices")
            }
            guard centroidCount >= 1 || elementCount == 0 else {
                throw .invalidParameters("a palette for \(elementCount) elements has no centroids")
            }
        }
    }
}
