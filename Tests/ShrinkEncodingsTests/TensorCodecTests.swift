import ShrinkEncodings
import Testing

@Suite struct TensorCodecTests {
    /// Encodes `tensor` with every layout, checks the size formula against the bytes and the
    /// exact round trip, and returns the dense payload.
    @discardableResult
    static func checkRoundTrip(_ tensor: CodedTensor, comment: String) throws -> EncodedTensor {
        var dense: EncodedTensor?
        for layout in [StorageLayout.dense, .sparse(gapBits: 1), .sparse(gapBits: 3), .sparse(gapBits: 5), .sparse(gapBits: 8), .sparse(gapBits: 16)] {
            let encoded = try TensorCodec.encode(tensor, layout: layout)
            #expect(encoded.payload.count == (try encoded.descriptor.byteCount()), "\(comment) \(layout)")
            #expect(encoded.payload.count == (try TensorCodec.byteCount(of: tensor, layout: layout)), "\(comment) \(layout)")
            let decoded = try TensorCodec.decode(encoded.payload, descriptor: encoded.descriptor, maximumElements: tensor.elementCount)
            #expect(decoded.codes == tensor.codes, "\(comment) \(layout)")
            #expect(TestValues.bits(decoded.values()) == TestValues.bits(tensor.values()), "\(comment) \(layout)")
            #expect(TestValues.bits(decoded.scales) == TestValues.bits(tensor.scales))
            #expect(decoded.zeroPoints == tensor.zeroPoints)
            #expect(TestValues.bits(decoded.centroids) == TestValues.bits(tensor.centroids))
            if layout == .dense { dense = encoded }
        }
        return dense!
    }

    @Test func float32RoundTripsBitExactly() throws {
        for count in TestValues.counts {
            let values = TestValues.floats(count: count, seed: UInt64(count))
            let encoded = try Self.checkRoundTrip(.float32(values), comment: "f32 \(count)")
            #expect(encoded.payload.count == 4 * count)
            #expect(TestValues.bits(CodedTensor.float32(values).values()) == TestValues.bits(values))
        }
        let extremes = try Self.checkRoundTrip(.float32(TestValues.extremes), comment: "f32 extremes")
        // Little-endian binary32: -0 is 00 00 00 80.
        #expect(Array(extremes.payload[4..<8]) == [0, 0, 0, 0x80])
    }

    @Test func float16RoundsToNearestEvenAndRoundTrips() throws {
        for count in TestValues.counts + [TestValues.extremes.count] {
            let values = count == TestValues.extremes.count ? TestValues.extremes : TestValues.floats(count: count, seed: UInt64(count) + 7)
            let tensor = CodedTensor.float16(values)
            let encoded = try Self.checkRoundTrip(tensor, comment: "f16 \(count)")
            #expect(encoded.payload.count == 2 * count)
            let expected = values.map { HalfPrecision.rounded($0) }
            #expect(TestValues.bits(tensor.values()) == TestValues.bits(expected))
        }
        // 65520 is the tie between 65504 and infinity: it rounds to the even one, infinity.
        #expect(CodedTensor.float16([65519, 65520]).values() == [65504, .infinity])
    }

    @Test func affineCodesRoundTripForEveryWidthPerTensorAndPerChannel() throws {
        for bits in 1...16 {
            for isSigned in [false, true] {
                let range = ElementFormat.affineCodeRange(bits: bits, isSigned: isSigned)
                for count in TestValues.counts {
                    let channelCount = count % 7 == 0 && count > 0 ? 7 : 1
                    let raw = TestValues.codes(count: count, bits: bits, seed: UInt64(bits * 31 + count))
                    let codes = raw.map { Int32($0) + range.lowerBound }
                    let scales = (0..<channelCount).map { Float($0 + 1) * 0.03125 + (isSigned ? 1e-3 : 0) }
                    let zeroPoints = (0..<channelCount).map { channel in channel == 0 ? range.upperBound : range.lowerBound + Int32(channel) % (range.upperBound - range.lowerBound + 1) }
                    let tensor = try CodedTensor.affine(codes: codes, bits: bits, isSigned: isSigned, scales: scales, zeroPoints: zeroPoints)
                    #expect(tensor.affineCodes() == codes)
                    let encoded = try Self.checkRoundTrip(tensor, comment: "affine \(bits) \(isSigned) \(count)")
                    #expect(encoded.payload.count == 8 * channelCount + (count * bits + 7) / 8)
                    // Values are (q − zeroPoint) · scale in Float.
                    let inner = count / channelCount
                    let expected = codes.enumerated().map { index, code in Float(code - zeroPoints[index / max(inner, 1)]) * scales[index / max(inner, 1)] }
                    #expect(TestValues.bits(tensor.values()) == TestValues.bits(expected))
                }
            }
        }
    }

    @Test func int8IsOneTwosComplementBytePerCode() throws {
        let tensor = try CodedTensor.affine(codes: [-128, -1, 0, 1, 127], bits: 8, isSigned: true, scales: [0.5], zeroPoints: [-3])
        let encoded = try TensorCodec.encode(tensor)
        // Side table: scale 0.5 = 0x3F000000, zero point −3 = 0xFFFFFFFD; then one byte per code.
        #expect(encoded.payload == [0, 0, 0, 0x3F, 0xFD, 0xFF, 0xFF, 0xFF, 0x80, 0xFF, 0x00, 0x01, 0x7F])
        #expect(tensor.values() == [-62.5, 1, 1.5, 2, 65])
    }

    @Test func quantizingMatchesTheAffineQuantizerFormulas() throws {
        // x / scale rounded half to even, plus the zero point, clamped; NaN → zero point.
        let values: [Float] = [0, 0.25, 0.75, -0.25, 1000, -1000, .nan, .infinity, -.infinity, -0.0]
        let tensor = try CodedTensor.affine(quantizing: values, bits: 4, isSigned: true, scales: [0.5], zeroPoints: [1])
        #expect(tensor.affineCodes() == [1, 1, 3, 1, 7, -8, 1, 7, -8, 1])
        #expect(tensor.values() == [0, 0, 1, 0, 3, -4.5, 0, 3, -4.5, 0])
        // Per channel along axis 0: shape [2, 3].
        let perChannel = try CodedTensor.affine(quantizing: [1, 2, 3, 1, 2, 3], bits: 8, isSigned: false,
                                                scales: [1, 0.5], zeroPoints: [10, 0])
        #expect(perChannel.affineCodes() == [11, 12, 13, 2, 4, 6])
        try Self.checkRoundTrip(perChannel, comment: "per-channel quantized")
        #expect(throws: EncodingError.self) { try CodedTensor.affine(quantizing: [1, 2, 3], bits: 8, isSigned: false, scales: [1, 1], zeroPoints: [0, 0]) }
        #expect(throws: EncodingError.self) { try CodedTensor.affine(codes: [0], bits: 8, isSigned: false, scales: [0], zeroPoints: [0]) }
        #expect(throws: EncodingError.self) { try CodedTensor.affine(codes: [0], bits: 8, isSigned: false, scales: [.nan], zeroPoints: [0]) }
        #expect(throws: EncodingError.self) { try CodedTensor.affine(codes: [256], bits: 8, isSigned: false, scales: [1], zeroPoints: [0]) }
        #expect(throws: EncodingError.self) { try CodedTensor.affine(codes: [0], bits: 8, isSigned: true, scales: [1], zeroPoints: [128]) }
        #expect(throws: EncodingError.self) { try CodedTensor.affine(codes: [0], bits: 17, isSigned: true, scales: [1], zeroPoints: [0]) }
    }

    @Test func palettesRoundTripForEveryWidthAndCentroidFormat() throws {
        for bits in 1...16 {
            for centroidFormat in FloatFormat.allCases {
                for count in TestValues.counts {
                    let centroidCount = min(1 << bits, 1 + count % 300)
                    let centroids = [Float(0)] + TestValues.floats(count: centroidCount - 1, seed: UInt64(bits + count))
                    let indices = TestValues.codes(count: count, bits: bits, seed: UInt64(count * 17 + bits)).map { UInt16($0 % UInt32(centroidCount)) }
                    let tensor = try CodedTensor.palette(indices: indices, centroids: centroids, bits: bits, centroidFormat: centroidFormat)
                    let encoded = try Self.checkRoundTrip(tensor, comment: "palette \(bits) \(centroidFormat) \(count)")
                    #expect(encoded.payload.count == centroidCount * centroidFormat.byteWidth + (count * bits + 7) / 8)
                    let expected = indices.map { centroidFormat.stored(centroids[Int($0)]) }
                    #expect(TestValues.bits(tensor.values()) == TestValues.bits(expected))
                }
            }
        }
        #expect(throws: EncodingError.self) { try CodedTensor.palette(indices: [2], centroids: [0, 1], bits: 1) }
        #expect(throws: EncodingError.self) { try CodedTensor.palette(indices: [0], centroids: [0, 1, 2], bits: 1) }
        #expect(throws: EncodingError.self) { try CodedTensor.palette(indices: [0], centroids: [], bits: 1) }
    }

    @Test func emptyTensorsEncodeToTheirSideTablesOnly() throws {
        let emptyPalette = try CodedTensor.palette(indices: [], centroids: [], bits: 4)
        #expect(try TensorCodec.encode(emptyPalette).payload.isEmpty)
        let emptyAffine = try CodedTensor.affine(codes: [], bits: 4, isSigned: false, scales: [], zeroPoints: [])
        try Self.checkRoundTrip(emptyAffine, comment: "empty affine")
    }
}
