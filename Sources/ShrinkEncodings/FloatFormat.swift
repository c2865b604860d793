/// The storage format of floating-point values (dense elements, palette centroids).
public enum FloatFormat: String, Codable, CaseIterable, Equatable, Sendable {
    /// IEEE 754 binary32, 4 bytes little-endian; every bit pattern (NaN payloads included) is kept.
    case float32
    /// IEEE 754 binary16, 2 bytes little-endian; values are rounded by `HalfPrecision`
    /// (round to nearest, ties to even; overflow to ±infinity).
    case float16

    /// Bytes per stored value: 4 or 2.
    public var byteWidth: Int { self == .float32 ? 4 : 2 }

    /// Bits per stored value: 32 or 16.
    public var bitWidth: Int { byteWidth * 8 }

    /// The stored bit pattern of `value` (binary32 bits, or the nearest binary16 bits).
    @inlinable
    public func code(of value: Float) -> UInt32 {
        self == .float32 ? value.bitPattern : UInt32(HalfPrecision.bits(from: value))
    }

    /// The value of a stored bit pattern (`code` must fit `bitWidth`).
    @inlinable
    public func value(ofCode code: UInt32) -> Float {
        self == .float32 ? Float(bitPattern: code) : HalfPrecision.float(fromBits: UInt16(truncatingIfNeeded: code))
    }

    /// `value` as it reads back after storage in this format.
    @inlinable
    public func stored(_ value: Float) -> Float { self.value(ofCode: code(of: value)) }
}
