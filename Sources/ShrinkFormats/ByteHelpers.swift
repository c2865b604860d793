import CZlib

/// CRC-32 (ISO-HDLC, as zlib and gzip compute it) over raw bytes.
enum Checksum {
    /// The CRC-32 of `buffer`, continuing from `crc` (0 to start).
    static func crc32(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = uLong(crc)
        guard var base = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return crc }
        var remaining = buffer.count
        while remaining > 0 {
            // zlib takes a 32-bit length; feed large sections in 1 GiB chunks.
            let chunk = min(remaining, 1 << 30)
            value = CZlib.crc32(value, base, uInt(chunk))
            base += chunk
            remaining -= chunk
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The CRC-32 of `bytes[range]`; `range` must lie within `bytes`.
    static func crc32(_ bytes: [UInt8], _ range: Range<Int>, continuing crc: UInt32 = 0) -> UInt32 {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "checksum range outside the bytes")
        return bytes.withUnsafeBytes { raw in
            crc32(UnsafeRawBufferPointer(rebasing: raw[range]), continuing: crc)
        }
    }
}

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
