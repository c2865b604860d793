import ShrinkEncodings
import Testing

@Suite struct RelativeIndexingTests {
    /// A float32 tensor of `count` zeros with 1.0 at `positions`.
    static func spikes(count: Int, at positions: [Int]) -> CodedTensor {
        var values = [Float](repeating: 0, count: count)
        for position in positions { values[position] = 1 }
        return .float32(values)
    }

    @Test func fillersFollowTheDeepCompressionRule() throws {
        let k = 3, span = 1 << k
        // Gap exactly 2^k − 1: no filler.
        var streams = try RelativeIndexing.split(Self.spikes(count: 20, at: [span - 1]), gapBits: k)
        #expect(streams.gaps == [7])
        #expect(streams.codes == [Float(1).bitPattern])
        // Gap 2^k: one filler (gap 7, code of +0) then gap 0.
        streams = try RelativeIndexing.split(Self.spikes(count: 20, at: [span]), gapBits: k)
        #expect(streams.gaps == [7, 0])
        #expect(streams.codes == [0, Float(1).bitPattern])
        // Gap 3·2^k: three fillers then gap 0.
        streams = try RelativeIndexing.split(Self.spikes(count: 40, at: [3 * span]), gapBits: k)
        #expect(streams.gaps == [7, 7, 7, 0])
        // Between two stored elements, adjacent elements have gap 0; trailing zeros cost nothing.
        streams = try RelativeIndexing.split(Self.spikes(count: 100, at: [0, 1, 2 + 2 * span + 5]), gapBits: k)
        #expect(streams.gaps == [0, 0, 7, 7, 5])
        #expect(RelativeIndexing.fillerCount(zeroRun: span - 1, gapBits: k) == 0)
        #expect(RelativeIndexing.fillerCount(zeroRun: span, gapBits: k) == 1)
        #expect(RelativeIndexing.fillerCount(zeroRun: 3 * span, gapBits: k) == 3)
        #expect(RelativeIndexing.fillerCount(zeroRun: 3 * span + span - 1, gapBits: k) == 3)
        for gapBits in [1, 3, 4, 5, 8] {
            for tensor in [Self.spikes(count: 200, at: [0, 7, 8, 31, 32, 64, 199]), Self.spikes(count: 200, at: [])] {
                try TensorCodecTests.checkRoundTrip(tensor, comment: "spikes \(gapBits)")
                let encoded = try TensorCodec.encode(tensor, layout: .sparse(gapBits: gapBits))
                // Entries = stored elements + Σ floor(run / 2^k).
                let positions = tensor.codes.indices.filter { tensor.codes[$0] != 0 }
                var previous = -1, fillers = 0
                for position in positions {
                    fillers += RelativeIndexing.fillerCount(zeroRun: position - previous - 1, gapBits: gapBits)
                    previous = position
                }
                #expect(encoded.descriptor.entryCount == positions.count + fillers)
            }
        }
    }

    @Test func negativeZeroIsStoredNotOmitted() throws {
        let tensor = CodedTensor.float32([0, -0.0, 0])
        let encoded = try TensorCodec.encode(tensor, layout: .sparse(gapBits: 4))
        #expect(encoded.descriptor.entryCount == 1)
        let decoded = try TensorCodec.decode(encoded.payload, descriptor: encoded.descriptor, maximumElements: 3)
        #expect(decoded.values()[1].sign == .minus)
    }

    @Test func affineOmitsEachChannelsZeroPointAndFillersCarryIt() throws {
        // Shape [2, 20]: channel 0 has zero point 3, channel 1 has zero point −2.
        var codes = [Int32](repeating: 3, count: 20) + [Int32](repeating: -2, count: 20)
        codes[0] = 5
        codes[39] = 7
        let tensor = try CodedTensor.affine(codes: codes, bits: 4, isSigned: true, scales: [0.5, 0.25], zeroPoints: [3, -2])
        let streams = try RelativeIndexing.split(tensor, gapBits: 3)
        // 38 omitted elements between positions 0 and 39: 4 fillers (at 8, 16, 24, 32) then gap 6.
        #expect(streams.gaps == [0, 7, 7, 7, 7, 6])
        #expect(streams.codes == [5, 3, 3, 14, 14, 7]) // −2 as 4-bit two's complement is 14
        try TensorCodecTests.checkRoundTrip(tensor, comment: "affine sparse")
        #expect(tensor.values().filter { $0 != 0 } == [1, 2.25])
    }

    @Test func paletteIndexZeroIsTheOmittedCode() throws {
        let indices: [UInt16] = [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
        let tensor = try CodedTensor.palette(indices: indices, centroids: [0, -0.5, 0.5], bits: 2)
        let encoded = try TensorCodec.encode(tensor, layout: .sparse(gapBits: 4))
        #expect(encoded.descriptor.entryCount == 3) // gap 2, then 17 = one filler (16) + gap 1
        // Size: 12 centroid bytes + ceil(3·4/8) gap bytes + ceil(3·2/8) index bytes.
        #expect(encoded.payload.count == 12 + 2 + 1)
        try TensorCodecTests.checkRoundTrip(tensor, comment: "palette sparse")
    }

    @Test func randomSparseTensorsRoundTripWithEveryGapWidth() throws {
        var generator = ShrinkTensorSeed.generator(42)
        for count in TestValues.counts + [4099] {
            let values: [Float] = (0..<count).map { _ in generator.next() % 20 == 0 ? Float(generator.next() % 100) - 50 : 0 }
            try TensorCodecTests.checkRoundTrip(.float32(values), comment: "sparse f32 \(count)")
            try TensorCodecTests.checkRoundTrip(.float16(values), comment: "sparse f16 \(count)")
        }
    }
}
