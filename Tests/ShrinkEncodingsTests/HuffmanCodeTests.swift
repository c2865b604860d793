import Foundation
import ShrinkEncodings
import ShrinkTensor
import Testing

@Suite struct HuffmanCodeTests {
    /// Classic two-queue Huffman construction: the optimal unbounded cost Σ frequency·length.
    static func referenceHuffmanCost(_ frequencies: [Int]) -> Int {
        var weights = frequencies.filter { $0 > 0 }.sorted()
        if weights.count <= 1 { return weights.first ?? 0 }
        var merged = [Int](), cost = 0
        var leafIndex = 0, mergedIndex = 0
        func smallest() -> Int {
            if mergedIndex >= merged.count || (leafIndex < weights.count && weights[leafIndex] <= merged[mergedIndex]) {
                leafIndex += 1
                return weights[leafIndex - 1]
            }
            mergedIndex += 1
            return merged[mergedIndex - 1]
        }
        for _ in 0..<(weights.count - 1) {
            let sum = smallest() + smallest()
            cost += sum
            merged.append(sum)
        }
        weights.removeAll()
        return cost
    }

    /// `count` symbols below `alphabetSize`; `skew` > 1 concentrates them on small symbols.
    static func symbols(count: Int, alphabetSize: Int, skew: Double, seed: UInt64) -> [UInt32] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in
            let uniform = Double(generator.nextUniform())
            return UInt32(min(Int(pow(uniform, skew) * Double(alphabetSize)), alphabetSize - 1))
        }
    }

    static func kraftSum(_ lengths: [UInt8]) -> Double {
        lengths.filter { $0 > 0 }.reduce(0) { $0 + pow(2, -Double($1)) }
    }

    @Test func canonicalCodesFollowTheDeflateAssignment() throws {
        // RFC 1951 §3.2.2 example: lengths (3,3,3,3,3,2,4,4).
        let code = try HuffmanCode(lengths: [3, 3, 3, 3, 3, 2, 4, 4])
        #expect(code.codes == [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111])
        // Symbols 5, 0, 7 → bits 00 010 1111 (first code bit first) → stream LSB first.
        let bytes = try code.encode([5, 0, 7])
        #expect(bytes == [0b1110_1000, 0b0000_0001])
        #expect(try code.decode(bytes, symbolCount: 3, maximumElements: 3) == [5, 0, 7])
    }

    @Test func unboundedCodesAreOptimalAndWithinOneBitOfEntropy() throws {
        for (index, (alphabet, skew)) in [(2, 1.0), (16, 1.0), (16, 4.0), (256, 1.0), (256, 3.0), (256, 8.0), (1000, 2.0), (32, 12.0)].enumerated() {
            let symbols = Self.symbols(count: 5000, alphabetSize: alphabet, skew: skew, seed: UInt64(index))
            let frequencies = try HuffmanCode.frequencies(of: symbols, alphabetSize: alphabet)
            let code = try HuffmanCode(frequencies: frequencies, maximumLength: 24)
            let bits = code.encodedBitCount(frequencies: frequencies)
            #expect(bits == Self.referenceHuffmanCost(frequencies), "alphabet \(alphabet) skew \(skew)")
            let entropy = HuffmanSizeReport.entropy(frequencies: frequencies)
            let average = Double(bits) / Double(symbols.count)
            #expect(average >= entropy - 1e-9 && average < entropy + 1, "average \(average), entropy \(entropy)")
            #expect(abs(Self.kraftSum(code.lengths) - 1) < 1e-12)
            let bytes = try code.encode(symbols)
            #expect(bytes.count == (bits + 7) / 8)
            #expect(try code.decode(bytes, symbolCount: symbols.count, maximumElements: symbols.count) == symbols)
        }
    }

    @Test func lengthLimitedCodesRespectTheLimitAndTheirBound() throws {
        // Bound: mixing p with the uniform distribution (weight δ = n / 2^L) gives lengths ≤ L, so
        // the optimal L-limited code averages below H + 1 − log2(1 − n / 2^L).
        for (index, (alphabet, limit)) in [(100, 7), (256, 9), (256, 15), (20, 5), (2, 1), (64, 6)].enumerated() {
            let symbols = Self.symbols(count: 4000, alphabetSize: alphabet, skew: 10, seed: UInt64(100 + index))
            let frequencies = try HuffmanCode.frequencies(of: symbols, alphabetSize: alphabet)
            let used = frequencies.filter { $0 > 0 }.count
            let code = try HuffmanCode(frequencies: frequencies, maximumLength: limit)
            #expect(code.maximumCodeLength <= limit)
            #expect(Self.kraftSum(code.lengths) <= 1 + 1e-12)
            let bits = code.encodedBitCount(frequencies: frequencies)
            #expect(bits >= Self.referenceHuffmanCost(frequencies))
            let entropy = HuffmanSizeReport.entropy(frequencies: frequencies)
            let bound = entropy + 1 - log2(1 - Double(used) / pow(2, Double(limit)))
            #expect(Double(bits) / Double(symbols.count) < bound || used == 1 << limit, "alphabet \(alphabet) limit \(limit)")
            let bytes = try code.encode(symbols)
            #expect(try code.decode(bytes, symbolCount: symbols.count, maximumElements: symbols.count) == symbols)
        }
        // 2^L used symbols with limit L: every length is exactly L.
        let full = try HuffmanCode(frequencies: (0..<16).map { $0 * $0 + 1 }, maximumLength: 4)
        #expect(full.lengths.allSatisfy { $0 == 4 })
        #expect(throws: EncodingError.self) { try HuffmanCode(frequencies: [Int](repeating: 1, count: 17), maximumLength: 4) }
        #expect(throws: EncodingError.self) { try HuffmanCode(frequencies: [1, 2], maximumLength: 25) }
        #expect(throws: EncodingError.self) { try HuffmanCode(frequencies: [1, -2], maximumLength: 8) }
        #expect(throws: EncodingError.self) { try HuffmanCode(frequencies: [Int.max / 2, Int.max / 2, 1], maximumLength: 8) }
    }

    @Test func singleSymbolAndEmptyAlphabets() throws {
        let single = try HuffmanCode(frequencies: [0, 5, 0])
        #expect(single.lengths == [0, 1, 0])
        let bytes = try single.encode([1, 1, 1, 1, 1])
        #expect(bytes == [0])
        #expect(try single.decode(bytes, symbolCount: 5, maximumElements: 5) == [1, 1, 1, 1, 1])
        #expect(throws: EncodingError.self) { try single.decode([0b0000_0100], symbolCount: 5, maximumElements: 5) }
        #expect(throws: EncodingError.self) { try single.encode([0]) }

        let empty = try HuffmanCode(frequencies: [])
        #expect(empty.alphabetSize == 0 && empty.maximumCodeLength == 0)
        #expect(try empty.encode([]) == [])
        #expect(try empty.decode([], symbolCount: 0, maximumElements: 0) == [])
        #expect(throws: EncodingError.self) { try empty.decode([0, 0, 0, 0], symbolCount: 1, maximumElements: 1) }
        let unused = try HuffmanCode(frequencies: [0, 0, 0])
        #expect(try HuffmanCode.deserialize(from: unused.serialized()).code == unused)
    }

    @Test func invalidLengthSetsAreRejected() {
        #expect(throws: EncodingError.self) { try HuffmanCode(lengths: [1, 1, 1]) } // over-subscribed
        #expect(throws: EncodingError.self) { try HuffmanCode(lengths: [1, 2]) } // incomplete
        #expect(throws: EncodingError.self) { try HuffmanCode(lengths: [2]) } // lone symbol not of length 1
        #expect(throws: EncodingError.self) { try HuffmanCode(lengths: [25, 1]) }
    }

    @Test func lengthsSerializeCompactlyAndRoundTrip() throws {
        for (index, (alphabet, limit)) in [(5, 15), (256, 15), (300, 20), (1 << 12, 24)].enumerated() {
            let symbols = Self.symbols(count: 3000, alphabetSize: alphabet, skew: 30, seed: UInt64(200 + index))
            let code = try HuffmanCode(frequencies: try HuffmanCode.frequencies(of: symbols, alphabetSize: alphabet), maximumLength: limit)
            let bytes = code.serialized()
            let width = code.maximumCodeLength <= 15 ? 4 : 5
            #expect(bytes.count == code.serializedByteCount)
            #expect(bytes.count == 5 + (alphabet * width + 7) / 8)
            let (decoded, used) = try HuffmanCode.deserialize(from: bytes + [0xAB, 0xCD])
            #expect(decoded == code && used == bytes.count)
            // Long codes (beyond the 10-bit lookup table) decode through the slow path.
            #expect(try decoded.decode(try code.encode(symbols), symbolCount: symbols.count, maximumElements: symbols.count) == symbols)
        }
        let deep = try HuffmanCode(frequencies: (0..<22).map { 1 << $0 }, maximumLength: 24)
        #expect(deep.maximumCodeLength == 21)
        let deepSymbols: [UInt32] = [0, 1, 21, 5, 20, 11, 0, 13]
        #expect(try deep.decode(try deep.encode(deepSymbols), symbolCount: deepSymbols.count, maximumElements: 8) == deepSymbols)
        for truncated in 0..<3 {
            let stream = try deep.encode(deepSymbols)
            #expect(throws: EncodingError.self) { try deep.decode(Array(stream.dropLast(truncated + 1)), symbolCount: deepSymbols.count, maximumElements: 8) }
        }
    }

    @Test func sizeReportGivesBytesBeforeAndAfterHuffman() throws {
        // A pruned-and-shared index stream: mostly index 0.
        var generator = SeededRandomNumberGenerator(seed: 9)
        let indices: [UInt32] = (0..<10_000).map { _ in generator.next() % 10 < 7 ? 0 : UInt32(generator.next() % 32) }
        let report = try HuffmanSizeReport(symbols: indices, plainBits: 5)
        #expect(report.plainByteCount == (10_000 * 5 + 7) / 8)
        let code = try HuffmanCode(frequencies: try HuffmanCode.frequencies(of: indices, alphabetSize: 32), maximumLength: 15)
        #expect(report.codedByteCount == (try code.encode(indices)).count)
        #expect(report.tableByteCount == code.serializedByteCount)
        #expect(report.averageCodeLength < report.entropyBitsPerSymbol + 1)
        #expect(report.totalByteCount < report.plainByteCount)
        let empty = try HuffmanSizeReport(symbols: [], plainBits: 4)
        #expect(empty.plainByteCount == 0 && empty.codedByteCount == 0 && empty.averageCodeLength == 0)
    }
}
