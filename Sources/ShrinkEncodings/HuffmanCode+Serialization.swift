/// Storage of a code as its lengths only (never the tree):
///
///     u32 LE  alphabetSize n
///     u8      lengthBits w: 4 when every length is ≤ 15, else 5
///     n lengths of w bits, bit-packed (BitPacking order), ceil(n·w / 8) bytes
///
/// Size: `5 + ceil(n · w / 8)` bytes.
extension HuffmanCode {
    /// Bits per serialized length: 4 when the longest length is ≤ 15, else 5.
    public var serializedLengthBits: Int { maximumCodeLength <= 15 ? 4 : 5 }

    /// `5 + ceil(alphabetSize · serializedLengthBits / 8)`.
    public var serializedByteCount: Int {
        5 + BitPacking.packedByteCount(count: alphabetSize, bits: serializedLengthBits)
    }

    /// The serialized code lengths.
    public func serialized() -> [UInt8] {
        var bytes = [UInt8]()
        LittleEndian.append(UInt32(alphabetSize), to: &bytes)
        bytes.append(UInt8(serializedLengthBits))
        // Safe: every length fits the chosen width.
        bytes += try! BitPacking.pack(lengths.map { UInt32($0) }, bits: serializedLengthBits)
        return bytes
    }

    /// Reads a serialized code from the start of `bytes` (which may continue with other data)
    /// and returns it with the number of bytes it occupied.
    ///
    /// - Throws: on a truncated header or table, an alphabet above `maximumAlphabetSize`, a
    ///   length width other than 4 or 5, or invalid lengths (see `init(lengths:)`).
    public static func deserialize(
        from bytes: [UInt8], maximumAlphabetSize: Int = 1 << 16
    ) throws(EncodingError) -> (code: HuffmanCode, byteCount: Int) {
        guard bytes.count >= 5 else { throw .byteCountMismatch(name: "Huffman table header", expected: 5, actual: bytes.count) }
        let alphabetSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard alphabetSize <= maximumAlphabetSize else {
            throw .tooManyElements(name: "Huffman alphabet", count: alphabetSize, maximum: maximumAlphabetSize)
        }
        let lengthBits = Int(bytes[4])
        guard lengthBits == 4 || lengthBits == 5 else {
            throw .invalidBitWidth(name: "Huffman length field", bits: lengthBits, allowed: 4...5)
        }
        let tableBytes = BitPacking.packedByteCount(count: alphabetSize, bits: lengthBits)
        guard bytes.count - 5 >= tableBytes else {
            throw .byteCountMismatch(name: "Huffman length table", expected: tableBytes, actual: bytes.count - 5)
        }
        let lengths = try BitPacking.unpack(Array(bytes[5..<(5 + tableBytes)]), count: alphabetSize, bits: lengthBits,
                                            maximumElements: maximumAlphabetSize)
        let code = try HuffmanCode(lengths: lengths.map { UInt8($0) })
        guard code.serializedLengthBits == lengthBits else {
            throw .invalidParameters("Huffman table uses \(lengthBits)-bit lengths where \(code.serializedLengthBits) are canonical")
        }
        return (code, 5 + tableBytes)
    }
}
