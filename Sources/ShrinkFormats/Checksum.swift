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
