/// Packing of unsigned integer codes of a fixed width (1...32 bits) into bytes.
///
/// Bit order: code `i` occupies stream bits `i·bits ..< (i+1)·bits`; stream bit `j` is bit
/// `j % 8` (least significant first) of byte `j / 8`; within a code, its least significant bit
/// comes first. Codes are contiguous across byte boundaries and the unused high bits of the
/// last byte are zero. This is the order of reading the bytes as one little-endian integer:
/// for 8 bits it is one code per byte, for 16 bits one little-endian `UInt16` per code.
public enum BitPacking {
    /// The widths `pack` and `unpack` accept.
    public static let supportedBits: ClosedRange<Int> = 1...32

    /// `ceil(count · bits / 8)`: the bytes `pack` produces.
    ///
    /// Precondition: `count >= 0`, `bits` in `supportedBits`, and the result fits `Int`
    /// (always true for counts below 2^60).
    public static func packedByteCount(count: Int, bits: Int) -> Int {
        precondition(count >= 0 && supportedBits.contains(bits), "invalid count \(count) or bits \(bits)")
        guard let result = checkedPackedByteCount(count: count, bits: bits) else {
            preconditionFailure("\(count) codes of \(bits) bits overflow Int")
        }
        return result
    }

    /// `packedByteCount`, or nil when the result does not fit `Int`.
    static func checkedPackedByteCount(count: Int, bits: Int) -> Int? {
        // (count·bits + 7)/8 without forming count·bits.
        guard let whole = CheckedSize.product(count / 8, bits) else { return nil }
        return CheckedSize.sum(whole, (count % 8 * bits + 7) / 8)
    }

    /// `codes` packed at `bits` bits each.
    ///
    /// - Throws: `EncodingError.invalidBitWidth`, or `.codeOutOfRange` when a code is ≥ 2^bits.
    public static func pack(_ codes: [UInt32], bits: Int) throws(EncodingError) -> [UInt8] {
        guard supportedBits.contains(bits) else {
            throw .invalidBitWidth(name: "bit packing", bits: bits, allowed: supportedBits)
        }
        let limit = UInt64(1) << UInt64(bits)
        var bytes = [UInt8](repeating: 0, count: packedByteCount(count: codes.count, bits: bits))
        var badPosition = -1
        codes.withUnsafeBufferPointer { input in
            bytes.withUnsafeMutableBufferPointer { output in
                if bits == 8 || bits == 16 || bits == 32 {
                    let width = bits / 8
                    for index in 0..<input.count {
                        let code = input[index]
                        if UInt64(code) >= limit { badPosition = index; return }
                        for byte in 0..<width { output[index * width + byte] = UInt8(truncatingIfNeeded: code >> UInt32(8 * byte)) }
                    }
                    return
                }
                var accumulator: UInt64 = 0
                var filled = 0
                var outputIndex = 0
                for index in 0..<input.count {
                    let code = UInt64(input[index])
                    if code >= limit { badPosition = index; return }
                    accumulator |= code << UInt64(filled)
                    filled += bits
                    while filled >= 8 {
                        output[outputIndex] = UInt8(truncatingIfNeeded: accumulator)
                        outputIndex += 1
                        accumulator >>= 8
                        filled -= 8
                    }
                }
                if filled > 0 { output[outputIndex] = UInt8(truncatingIfNeeded: accumulator) }
            }
        }
        if badPosition >= 0 {
            throw .codeOutOfRange(name: "bit packing", position: badPosition, code: UInt64(codes[badPosition]), limit: limit)
        }
        return bytes
    }

    /// The `count` codes of `bits` bits packed in `bytes`.
    ///
    /// The byte count is checked against `packedByteCount(count:bits:)` and `count` against
    /// `maximumElements` before anything is allocated. Non-zero padding bits in the last byte
    /// are rejected, so every accepted buffer is the unique packing of its codes.
    public static func unpack(
        _ bytes: [UInt8], count: Int, bits: Int, maximumElements: Int
    ) throws(EncodingError) -> [UInt32] {
        try bytes.withUnsafeBufferPointer { buffer throws(EncodingError) in
            try unpack(UnsafeRawBufferPointer(buffer), count: count, bits: bits, maximumElements: maximumElements)
        }
    }

    /// `unpack` over raw bytes (for reading a slice of a larger buffer without copying).
    public static func unpack(
        _ bytes: UnsafeRawBufferPointer, count: Int, bits: Int, maximumElements: Int
    ) throws(EncodingError) -> [UInt32] {
        guard supportedBits.contains(bits) else {
            throw .invalidBitWidth(name: "bit unpacking", bits: bits, allowed: supportedBits)
        }
        guard count >= 0 else { throw .negativeCount(name: "bit unpacking", count: count) }
        guard count <= maximumElements else {
            throw .tooManyElements(name: "bit unpacking", count: count, maximum: maximumElements)
        }
        guard let expected = checkedPackedByteCount(count: count, bits: bits) else {
            throw .tooManyElements(name: "bit unpacking", count: count, maximum: Int.max / 4)
        }
        guard bytes.count == expected else {
            throw .byteCountMismatch(name: "bit-packed codes", expected: expected, actual: bytes.count)
        }
        let usedBitsInLastByte = (count * bits) % 8
        if usedBitsInLastByte != 0, bytes[expected - 1] >> UInt8(usedBitsInLastByte) != 0 {
            throw .invalidParameters("bit-packed codes: padding bits of the last byte are not zero")
        }
        var codes = [UInt32](repeating: 0, count: count)
        codes.withUnsafeMutableBufferPointer { output in
            if bits == 8 || bits == 16 || bits == 32 {
                let width = bits / 8
                for index in 0..<count {
                    var code: UInt32 = 0
                    for byte in 0..<width { code |= UInt32(bytes[index * width + byte]) << UInt32(8 * byte) }
                    output[index] = code
                }
                return
            }
            let mask = (UInt64(1) << UInt64(bits)) - 1
            var accumulator: UInt64 = 0
            var filled = 0
            var inputIndex = 0
            for index in 0..<count {
                while filled < bits {
                    accumulator |= UInt64(bytes[inputIndex]) << UInt64(filled)
                    inputIndex += 1
                    filled += 8
                }
                output[index] = UInt32(truncatingIfNeeded: accumulator & mask)
                accumulator >>= UInt64(bits)
                filled -= bits
            }
        }
        return codes
    }
}
