/// Little-endian field access on byte arrays. Reads are bounds-checked by `Array` (a caller bug
/// traps instead of reading out of bounds); callers check lengths first and report errors.
extension Array where Element == UInt8 {
    func littleEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func littleEndianUInt32(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(self[offset + index]) << (8 * UInt32(index)) }
        return value
    }

    func littleEndianUInt64(at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(self[offset + index]) << (8 * UInt64(index)) }
        return value
    }

    mutating func storeLittleEndian<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
        for index in 0..<MemoryLayout<Value>.size {
            self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    /// The first non-zero byte's offset in `range`, if any.
    func firstNonZero(in range: Range<Int>) -> Int? {
        self[range].firstIndex { $0 != 0 }
    }
}

/// `value` rounded up to a multiple of `alignment` (a power of two); `nil` on overflow.
func alignedUp(_ value: Int, to alignment: Int) -> Int? {
    let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
    if overflow { return nil }
    return sum & ~(alignment - 1)
}
