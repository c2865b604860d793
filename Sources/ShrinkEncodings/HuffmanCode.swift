/// A canonical prefix code over the symbols `0 ..< alphabetSize`, described only by its code
/// lengths (DEFLATE-style canonical assignment).
///
/// - Lengths are 0 (symbol absent) or 1...`maximumSupportedLength`.
/// - Valid sets are complete (Kraft sum exactly 1), empty (no symbol used; only zero symbols
///   can be decoded), or a single symbol of length 1 (code `0`). Over-subscribed and other
///   incomplete sets are rejected, so every bit sequence a decoder meets is either a code
///   word or an error.
/// - Canonical codes: symbols sorted by (length, symbol value) receive consecutive code values,
///   shifted left when the length grows (`code = (code + count[length − 1]) << 1`).
/// - Bit stream: code words are written most significant code bit first, into stream bits
///   numbered as in `BitPacking` (bit `j` = bit `j % 8` of byte `j / 8`); the last byte's unused
///   high bits are zero.
public struct HuffmanCode: Equatable, Sendable {
    /// The longest code length any code may use.
    public static let maximumSupportedLength = 24

    /// One code length per symbol (0 = the symbol does not occur).
    public let lengths: [UInt8]
    /// The canonical code value of each symbol (its low `lengths[s]` bits).
    public let codes: [UInt32]
    /// `lengthCounts[l]`: the number of symbols of length `l` (index 0 unused).
    let lengthCounts: [Int]
    /// The used symbols sorted by (length, symbol).
    let sortedSymbols: [UInt32]
    /// Bits the decoder looks up at once: `min(maximumCodeLength, 10)`.
    let lookupBits: Int
    /// Indexed by the next `lookupBits` stream bits (first stream bit = bit 0): `symbol << 5 |
    /// length` of the code word they start with, or 0 when that code is longer than `lookupBits`.
    let lookupTable: [UInt32]

    /// The number of symbols (used or not).
    public var alphabetSize: Int { lengths.count }

    /// The longest code length in use (0 for an empty code).
    public var maximumCodeLength: Int { Int(lengths.max() ?? 0) }

    /// The code with these lengths, after validation (see the type's rules).
    public init(lengths: [UInt8]) throws(EncodingError) {
        let maximum = Self.maximumSupportedLength
        var counts = [Int](repeating: 0, count: maximum + 1)
        for (symbol, length) in lengths.enumerated() {
            guard Int(length) <= maximum else {
                throw .invalidCodeLengths("symbol \(symbol) has length \(length), above \(maximum)")
            }
            counts[Int(length)] += 1
        }
        counts[0] = 0
        // Kraft sum in units of 2^-maximum.
        var kraft: UInt64 = 0
        for length in 1...maximum { kraft += UInt64(counts[length]) << UInt64(maximum - length) }
        let used = counts.reduce(0, +)
        let full = UInt64(1) << UInt64(maximum)
        if kraft > full { throw .invalidCodeLengths("over-subscribed (Kraft sum above 1)") }
        if kraft < full && used > 0 && !(used == 1 && counts[1] == 1) {
            throw .invalidCodeLengths("incomplete (Kraft sum below 1) with \(used) symbols")
        }
        var nextCode = [UInt32](repeating: 0, count: maximum + 1)
        var code: UInt32 = 0
        for length in 1...maximum {
            code = (code + UInt32(counts[length - 1])) << 1
            nextCode[length] = code
        }
        var codes = [UInt32](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            codes[symbol] = nextCode[Int(length)]
            nextCode[Int(length)] += 1
        }
        var sorted = [UInt32]()
        sorted.reserveCapacity(used)
        var offsets = [Int](repeating: 0, count: maximum + 2)
        for length in 1...maximum { offsets[length + 1] = offsets[length] + counts[length] }
        sorted = [UInt32](repeating: 0, count: used)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            sorted[offsets[Int(length)]] = UInt32(symbol)
            offsets[Int(length)] += 1
        }
        self.lengths = lengths
        self.codes = codes
        self.lengthCounts = counts
        self.sortedSymbols = sorted
        let longest = Int(lengths.max() ?? 0)
        let lookupBits = min(longest, 10)
        var table = [UInt32](repeating: 0, count: lookupBits == 0 ? 0 : 1 << lookupBits)
        for (symbol, length) in lengths.enumerated() where length > 0 && Int(length) <= lookupBits {
            let length = Int(length)
            // The stream holds the code most significant bit first: bit-reverse it.
            var reversed = 0
            for bit in 0..<length where codes[symbol] >> UInt32(length - 1 - bit) & 1 == 1 { reversed |= 1 << bit }
            for high in 0..<(1 << (lookupBits - length)) {
                table[reversed | high << length] = UInt32(symbol) << 5 | UInt32(length)
            }
        }
        self.lookupBits = lookupBits
        self.lookupTable = table
    }

    /// The optimal code of lengths at most `maximumLength` for these symbol frequencies
    /// (package-merge; equal in cost to an unbounded Huffman code when the limit does not
    /// bind). Symbols of frequency 0 get length 0; a single used symbol gets length 1.
    ///
    /// - Throws: when `maximumLength` is outside 1...24, a frequency is negative, the
    ///   frequencies sum beyond `Int.max / 64`, or more than `2^maximumLength` symbols are used.
    public init(frequencies: [Int], maximumLength: Int = 15) throws(EncodingError) {
        guard (1...Self.maximumSupportedLength).contains(maximumLength) else {
            throw .invalidBitWidth(name: "Huffman maximum length", bits: maximumLength, allowed: 1...Self.maximumSupportedLength)
        }
        if let negative = frequencies.firstIndex(where: { $0 < 0 }) {
            throw .negativeCount(name: "frequency of symbol \(negative)", count: frequencies[negative])
        }
        // Package weights are sums of at most 2·maximumLength copies of the total.
        var total = 0
        for frequency in frequencies {
            guard let sum = CheckedSize.sum(total, frequency), sum <= Int.max / 64 else {
                throw .invalidParameters("Huffman frequencies sum beyond \(Int.max / 64)")
            }
            total = sum
        }
        let used = frequencies.indices.filter { frequencies[$0] > 0 }
        guard used.count <= 1 << maximumLength else {
            throw .invalidParameters("\(used.count) symbols cannot have codes of at most \(maximumLength) bits")
        }
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        if used.count == 1 {
            lengths[used[0]] = 1
        } else if used.count > 1 {
            let leaves = used.sorted { (frequencies[$0], $0) < (frequencies[$1], $1) }
            let leafLengths = Self.packageMerge(weights: leaves.map { frequencies[$0] }, maximumLength: maximumLength)
            for (rank, symbol) in leaves.enumerated() { lengths[symbol] = UInt8(leafLengths[rank]) }
        }
        try self.init(lengths: lengths)
    }

    /// Package-merge (Larmore & Hirschberg 1990): code lengths ≤ `maximumLength` minimizing
    /// Σ weight·length, for ≥ 2 ascending `weights`. Returns one length per weight.
    static func packageMerge(weights: [Int], maximumLength: Int) -> [Int] {
        let count = weights.count
        // levelIsLeaf[d]: for the merged list at depth d (0 = top, maximumLength − 1 = deepest),
        // whether each item is a leaf (true) or a package of two items of depth d + 1.
        var levelIsLeaf = [[Bool]](repeating: [], count: maximumLength)
        var previousWeights = weights // the deepest list is the leaves alone
        levelIsLeaf[maximumLength - 1] = [Bool](repeating: true, count: count)
        if maximumLength >= 2 {
            for depth in stride(from: maximumLength - 2, through: 0, by: -1) {
                let packageCount = previousWeights.count / 2
                var merged = [Int]()
                var isLeaf = [Bool]()
                merged.reserveCapacity(count + packageCount)
                isLeaf.reserveCapacity(count + packageCount)
                var leafIndex = 0, packageIndex = 0
                while leafIndex < count || packageIndex < packageCount {
                    let packageWeight = packageIndex < packageCount
                        ? previousWeights[2 * packageIndex] + previousWeights[2 * packageIndex + 1] : Int.max
                    if leafIndex < count && weights[leafIndex] <= packageWeight {
                        merged.append(weights[leafIndex]); isLeaf.append(true); leafIndex += 1
                    } else {
                        merged.append(packageWeight); isLeaf.append(false); packageIndex += 1
                    }
                }
                levelIsLeaf[depth] = isLeaf
                previousWeights = merged
            }
        }
        var lengths = [Int](repeating: 0, count: count)
        var selected = 2 * count - 2
        for depth in 0..<maximumLength {
            let isLeaf = levelIsLeaf[depth]
            var leaves = 0
            for index in 0..<selected where isLeaf[index] { leaves += 1 }
            for leaf in 0..<leaves { lengths[leaf] += 1 }
            selected = 2 * (selected - leaves)
        }
        return lengths
    }

    /// Symbol frequencies of `symbols` over `0 ..< alphabetSize`.
    public static func frequencies(of symbols: [UInt32], alphabetSize: Int) throws(EncodingError) -> [Int] {
        guard alphabetSize >= 0 else { throw .negativeCount(name: "alphabet", count: alphabetSize) }
        var counts = [Int](repeating: 0, count: alphabetSize)
        for (position, symbol) in symbols.enumerated() {
            guard Int(symbol) < alphabetSize else {
                throw .codeOutOfRange(name: "Huffman symbols", position: position, code: UInt64(symbol), limit: UInt64(alphabetSize))
            }
            counts[Int(symbol)] += 1
        }
        return counts
    }

    /// The bits the encoding of symbols with these frequencies takes: Σ frequency·length.
    public func encodedBitCount(frequencies: [Int]) -> Int {
        zip(frequencies, lengths).reduce(0) { $0 + $1.0 * Int($1.1) }
    }

    /// `symbols` as a bit stream of `ceil(Σ length / 8)` bytes.
    ///
    /// - Throws: `.codeOutOfRange` for a symbol outside the alphabet or without a code.
    public func encode(_ symbols: [UInt32]) throws(EncodingError) -> [UInt8] {
        var bytes = [UInt8]()
        var accumulator: UInt64 = 0
        var filled = 0
        for (position, symbol) in symbols.enumerated() {
            guard Int(symbol) < lengths.count, lengths[Int(symbol)] > 0 else {
                throw .codeOutOfRange(name: "Huffman symbols", position: position, code: UInt64(symbol), limit: UInt64(lengths.count))
            }
            let length = Int(lengths[Int(symbol)])
            let code = codes[Int(symbol)]
            // Most significant code bit first into the LSB-first stream: append reversed bits.
            var reversed: UInt64 = 0
            for bit in 0..<length { reversed |= UInt64((code >> UInt32(length - 1 - bit)) & 1) << UInt64(bit) }
            accumulator |= reversed << UInt64(filled)
            filled += length
            while filled >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                filled -= 8
            }
        }
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
        return bytes
    }

    /// Decodes exactly `symbolCount` symbols from `bytes`.
    ///
    /// `symbolCount` is checked against `maximumElements` and against `8 · bytes.count` (every
    /// symbol takes at least one bit) before allocating. The stream must end within the last
    /// byte, whose unused high bits must be zero.
    public func decode(_ bytes: [UInt8], symbolCount: Int, maximumElements: Int) throws(EncodingError) -> [UInt32] {
        guard symbolCount >= 0 else { throw .negativeCount(name: "Huffman symbols", count: symbolCount) }
        guard symbolCount <= maximumElements else {
            throw .tooManyElements(name: "Huffman symbols", count: symbolCount, maximum: maximumElements)
        }
        let totalBits = CheckedSize.product(bytes.count, 8) ?? Int.max
        guard symbolCount <= totalBits else { throw .truncatedBitStream(decodedSymbols: 0, expectedSymbols: symbolCount) }
        var output = [UInt32](repeating: 0, count: symbolCount)
        var bitPosition = 0
        var failure: EncodingError?
        let lookupBits = self.lookupBits
        let lookupMask = (1 << lookupBits) - 1
        bytes.withUnsafeBufferPointer { input in
            lookupTable.withUnsafeBufferPointer { table in
            lengthCounts.withUnsafeBufferPointer { counts in
                sortedSymbols.withUnsafeBufferPointer { symbols in
                    output.withUnsafeMutableBufferPointer { result in
                        let longest = Self.maximumSupportedLength
                        decoding: for decoded in 0..<symbolCount {
                            let start = bitPosition
                            if lookupBits > 0 {
                                // Fast path: the next lookupBits bits (zeros past the end) index
                                // the table; a hit must not reach past the last bit.
                                let byteIndex = bitPosition >> 3
                                var window = 0
                                for offset in 0..<3 where byteIndex + offset < input.count {
                                    window |= Int(input[byteIndex + offset]) << (8 * offset)
                                }
                                let entry = table[(window >> (bitPosition & 7)) & lookupMask]
                                let length = Int(entry & 31)
                                if length != 0 && bitPosition + length <= totalBits {
                                    result[decoded] = entry >> 5
                                    bitPosition += length
                                    continue decoding
                                }
                            }
                            // Slow path (codes longer than lookupBits, or the stream's end): one
                            // bit at a time over the canonical length counts.
                            var code = 0, first = 0, index = 0
                            for length in 1...longest {
                                guard bitPosition < totalBits else {
                                    failure = .truncatedBitStream(decodedSymbols: decoded, expectedSymbols: symbolCount)
                                    break decoding
                                }
                                code |= Int((input[bitPosition >> 3] >> UInt8(bitPosition & 7)) & 1)
                                bitPosition += 1
                                let count = counts[length]
                                if code - count < first {
                                    result[decoded] = symbols[index + (code - first)]
                                    continue decoding
                                }
                                index += count
                                first = (first + count) << 1
                                code <<= 1
                            }
                            failure = .invalidCodeWord(bitOffset: start)
                            break decoding
                        }
                    }
                }
            }
            }
        }
        if let failure { throw failure }
        let expectedBytes = (bitPosition + 7) / 8
        guard bytes.count == expectedBytes else {
            throw .byteCountMismatch(name: "Huffman stream of \(symbolCount) symbols", expected: expectedBytes, actual: bytes.count)
        }
        if bitPosition % 8 != 0, bytes[expectedBytes - 1] >> UInt8(bitPosition % 8) != 0 {
            throw .invalidParameters("Huffman stream: padding bits of the last byte are not zero")
        }
        return output
    }
}
