import Foundation

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

/// What Huffman coding does to one stream of fixed-width symbols (palette indices, affine
/// codes, sparse gaps): the Deep Compression table 2/3 columns "bits (P+Q)" and "bits (P+Q+H)".
public struct HuffmanSizeReport: Equatable, Sendable {
    /// Symbols in the stream.
    public var symbolCount: Int
    /// Bits per symbol when bit-packed.
    public var plainBits: Int
    /// `ceil(symbolCount · plainBits / 8)`: the bit-packed stream.
    public var plainByteCount: Int
    /// The serialized code lengths.
    public var tableByteCount: Int
    /// `ceil(Σ code lengths / 8)`: the Huffman-coded stream.
    public var codedByteCount: Int
    /// Empirical entropy `−Σ p log2 p` of the stream, bits per symbol.
    public var entropyBitsPerSymbol: Double
    /// Mean Huffman code length, bits per symbol (0 for an empty stream).
    public var averageCodeLength: Double

    /// Table plus coded stream.
    public var totalByteCount: Int { tableByteCount + codedByteCount }

    /// The report for `symbols`, each below `2^plainBits` (1...16), with codes of at most
    /// `maximumLength` bits.
    public init(symbols: [UInt32], plainBits: Int, maximumLength: Int = 15) throws(EncodingError) {
        guard ElementFormat.supportedIntegerBits.contains(plainBits) else {
            throw .invalidBitWidth(name: "Huffman report symbols", bits: plainBits, allowed: ElementFormat.supportedIntegerBits)
        }
        let frequencies = try HuffmanCode.frequencies(of: symbols, alphabetSize: 1 << plainBits)
        let alphabet = (frequencies.lastIndex { $0 > 0 } ?? -1) + 1
        let code = try HuffmanCode(frequencies: Array(frequencies[..<alphabet]), maximumLength: maximumLength)
        let bits = code.encodedBitCount(frequencies: Array(frequencies[..<alphabet]))
        symbolCount = symbols.count
        self.plainBits = plainBits
        plainByteCount = BitPacking.packedByteCount(count: symbols.count, bits: plainBits)
        tableByteCount = code.serializedByteCount
        codedByteCount = (bits + 7) / 8
        entropyBitsPerSymbol = HuffmanSizeReport.entropy(frequencies: frequencies)
        averageCodeLength = symbols.isEmpty ? 0 : Double(bits) / Double(symbols.count)
    }

    /// `−Σ p log2 p` over the non-zero frequencies (0 for no symbols).
    public static func entropy(frequencies: [Int]) -> Double {
        let total = Double(frequencies.reduce(0, +))
        guard total > 0 else { return 0 }
        var entropy = 0.0
        for frequency in frequencies where frequency > 0 {
            let probability = Double(frequency) / total
            entropy -= probability * log2(probability)
        }
        return entropy
    }
}
