import ShrinkEncodings
import Testing

@Suite struct BitPackingTests {
    @Test func everyWidthRoundTripsAndMatchesTheSizeFormula() throws {
        for bits in 1...32 {
            for count in TestValues.counts {
                let codes = TestValues.codes(count: count, bits: bits, seed: UInt64(bits * 1000 + count))
                let bytes = try BitPacking.pack(codes, bits: bits)
                #expect(bytes.count == BitPacking.packedByteCount(count: count, bits: bits))
                #expect(bytes.count == (count * bits + 7) / 8)
                let unpacked = try BitPacking.unpack(bytes, count: count, bits: bits, maximumElements: count)
                #expect(unpacked == codes, "width \(bits), count \(count)")
            }
        }
    }

    @Test func bitOrderIsLeastSignificantFirstAcrossBytes() throws {
        // 3-bit codes 1, 2, 7, 5 → stream bits (LSB first) 100 010 111 101 → 0b11_010_001, 0b1011.
        #expect(try BitPacking.pack([1, 2, 7, 5], bits: 3) == [0b1101_0001, 0b0000_1011])
        #expect(try BitPacking.pack([0x1234, 0xABCD], bits: 16) == [0x34, 0x12, 0xCD, 0xAB])
        #expect(try BitPacking.pack([0x3FF, 1], bits: 10) == [0xFF, 0x07, 0x00])
    }

    @Test func rejectsCodesThatDoNotFit() {
        #expect(throws: EncodingError.self) { try BitPacking.pack([0, 8], bits: 3) }
        #expect(throws: EncodingError.self) { try BitPacking.pack([1], bits: 0) }
        #expect(throws: EncodingError.self) { try BitPacking.pack([1], bits: 33) }
    }

    @Test func unpackValidatesBeforeAllocating() {
        #expect(throws: EncodingError.tooManyElements(name: "bit unpacking", count: 1 << 40, maximum: 1 << 20)) {
            try BitPacking.unpack([], count: 1 << 40, bits: 4, maximumElements: 1 << 20)
        }
        #expect(throws: EncodingError.self) { try BitPacking.unpack([0], count: Int.max, bits: 32, maximumElements: Int.max) }
        #expect(throws: EncodingError.self) { try BitPacking.unpack([0, 0, 0], count: 3, bits: 3, maximumElements: 10) }
        #expect(throws: EncodingError.self) { try BitPacking.unpack([0], count: -1, bits: 3, maximumElements: 10) }
        // Non-zero padding bits are rejected.
        #expect(throws: EncodingError.self) { try BitPacking.unpack([0b1000_0000], count: 2, bits: 3, maximumElements: 10) }
    }
}
