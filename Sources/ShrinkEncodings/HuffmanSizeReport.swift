import Foundation

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
