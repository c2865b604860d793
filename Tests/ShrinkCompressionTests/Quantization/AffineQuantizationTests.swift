import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct AffineQuantizationTests {
    let rangeMinusOneToThree = QuantizationRange(minimum: -1, maximum: 3)

    @Test func asymmetricEightBitOfMinusOneToThree() throws {
        // scale = 4 / 255; zero point = 0 − round(−1 / (4/255)) = round(63.75) = 64.
        let unsigned = try AffineQuantization.scaleAndZeroPoint(
            for: rangeMinusOneToThree, scheme: QuantizationScheme(bits: 8, isSigned: false, isSymmetric: false))
        #expect(unsigned.scale == Float(4) / 255)
        #expect(unsigned.zeroPoint == 64)
        let signed = try AffineQuantization.scaleAndZeroPoint(
            for: rangeMinusOneToThree, scheme: QuantizationScheme(bits: 8, isSigned: true, isSymmetric: false))
        #expect(signed.scale == Float(4) / 255)
        #expect(signed.zeroPoint == -64)
    }

    @Test func symmetricEightBitOfMinusOneToThree() throws {
        // Restricted range: scale = 3 / 127; zero point 0 (signed) or 128 (unsigned).
        let signed = try AffineQuantization.scaleAndZeroPoint(for: rangeMinusOneToThree, scheme: QuantizationScheme(bits: 8))
        #expect(signed.scale == Float(3) / 127 && signed.zeroPoint == 0)
        let unsigned = try AffineQuantization.scaleAndZeroPoint(
            for: rangeMinusOneToThree, scheme: QuantizationScheme(bits: 8, isSigned: false, isSymmetric: true))
        #expect(unsigned.scale == Float(3) / 127 && unsigned.zeroPoint == 128)
        let parameters = try AffineQuantization.parameters(for: rangeMinusOneToThree, scheme: QuantizationScheme(bits: 8))
        let codes = AffineQuantization.quantize(Tensor(shape: [3], scalars: [3, -3, -1]), with: parameters)
        #expect(codes == [127, -127, -42]) // −1 / (3/127) = −42.33
    }

    @Test func perChannelAlongOutputAxis() throws {
        let weight = Tensor(shape: [2, 2], scalars: [-1, 3, 0.5, -2]) // [out, in]
        let symmetric = try AffineQuantization.parameters(minMaxOf: weight, scheme: .weights(bits: 8))
        #expect(symmetric.axis == 0)
        #expect(symmetric.scales == [Float(3) / 127, Float(2) / 127])
        #expect(symmetric.zeroPoints == [0, 0])
        let asymmetric = try AffineQuantization.parameters(
            minMaxOf: weight, scheme: QuantizationScheme(bits: 8, isSigned: false, isSymmetric: false, isPerChannel: true))
        #expect(asymmetric.scales == [Float(4) / 255, Float(2.5) / 255])
        #expect(asymmetric.zeroPoints == [64, 204]) // round(2 / (2.5/255)) = 204
        let codes = AffineQuantization.quantize(weight, with: asymmetric)
        #expect(codes == [0, 255, 255, 0])
        // Per tensor the same weight uses one scale: max |w| = 3.
        let perTensor = try AffineQuantization.parameters(minMaxOf: weight, scheme: QuantizationScheme(bits: 8))
        #expect(perTensor.axis == nil && perTensor.scales == [Float(3) / 127])
    }

    @Test func perChannelOnAnInnerAxis() throws {
        // Shape [2, 3]; channels along axis 1: columns (1, 4), (−2, 8), (0.5, −0.3).
        let tensor = Tensor(shape: [2, 3], scalars: [1, -2, 0.5, 4, 8, -0.3])
        let ranges = try AffineQuantization.channelRanges(of: tensor, axis: 1)
        #expect(ranges == [QuantizationRange(minimum: 1, maximum: 4), QuantizationRange(minimum: -2, maximum: 8),
                           QuantizationRange(minimum: -0.3, maximum: 0.5)])
        let parameters = try AffineQuantization.parameters(forChannelRanges: ranges, axis: 1, scheme: QuantizationScheme(bits: 4))
        #expect(parameters.scales == [Float(4) / 7, Float(8) / 7, Float(0.5) / 7])
        #expect(AffineQuantization.quantize(tensor, with: parameters) == [2, -2, 7, 7, 7, -4]) // 1.75→2, −1.75→−2, −4.2→−4
        #expect(throws: QuantizationError.invalidAxis(axis: 2, shape: [2, 3])) {
            try AffineQuantization.channelRanges(of: tensor, axis: 2)
        }
    }

    @Test func zeroIsExactlyRepresentable() throws {
        var generator = SeededRandomNumberGenerator(seed: 3)
        for bits in [1, 2, 3, 4, 5, 7, 8, 12, 16] {
            for _ in 0..<50 {
                let low = -10 * generator.nextUniform() - 1e-3
                let high = 10 * generator.nextUniform() + 1e-3
                for (isSigned, isSymmetric) in [(true, true), (false, true), (true, false), (false, false)] where !(isSymmetric && bits == 1) {
                    let scheme = QuantizationScheme(bits: bits, isSigned: isSigned, isSymmetric: isSymmetric)
                    let parameters = try AffineQuantization.parameters(for: QuantizationRange(minimum: low, maximum: high), scheme: scheme)
                    #expect(AffineQuantization.fakeQuantize(Tensor(shape: [1], scalars: [0]), with: parameters).scalars == [0])
                    #expect(parameters.zeroPoints[0] >= parameters.minimumCode && parameters.zeroPoints[0] <= parameters.maximumCode)
                }
            }
        }
        // A range away from zero is widened to contain it.
        let shifted = try AffineQuantization.scaleAndZeroPoint(
            for: QuantizationRange(minimum: 2, maximum: 5), scheme: QuantizationScheme(bits: 8, isSigned: false, isSymmetric: false))
        #expect(shifted.scale == Float(5) / 255 && shifted.zeroPoint == 0)
    }

    @Test func roundsHalfToEvenAndClamps() {
        let unit = QuantizationParameters(bits: 8, isSigned: true, isSymmetric: true, axis: nil, scales: [1], zeroPoints: [0])
        let ties = Tensor(shape: [8], scalars: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, -127.5])
        #expect(AffineQuantization.quantize(ties, with: unit) == [0, 2, 2, 0, -2, -2, 126, -128])
        let outside = Tensor(shape: [4], scalars: [200, -200, .infinity, .nan])
        #expect(AffineQuantization.quantize(outside, with: unit) == [127, -128, 127, 0])
        let shifted = QuantizationParameters(bits: 8, isSigned: false, isSymmetric: false, axis: nil, scales: [0.5], zeroPoints: [64])
        #expect(AffineQuantization.quantize(Tensor(shape: [4], scalars: [300, -300, 0, 0.25]), with: shifted) == [255, 0, 64, 64])
        #expect(AffineQuantization.dequantize([255, 0, 64], shape: [3], with: shifted).scalars == [95.5, -32, 0])
    }

    @Test func oneTwoFourAndSixteenBitEdges() throws {
        // 1 bit: symmetric is rejected; asymmetric gives {0, s} or {−s, 0}.
        #expect(throws: QuantizationError.self) { try QuantizationScheme(bits: 1, isSymmetric: true).validate() }
        let oneBit = QuantizationScheme(bits: 1, isSigned: false, isSymmetric: false)
        let up = try AffineQuantization.parameters(for: rangeMinusOneToThree, scheme: oneBit)
        #expect(up.scales == [4] && up.zeroPoints == [0])
        #expect(AffineQuantization.fakeQuantize(Tensor(shape: [4], scalars: [-1, 1.9, 2.1, 3]), with: up).scalars == [0, 0, 4, 4])
        let down = try AffineQuantization.parameters(for: QuantizationRange(minimum: -3, maximum: 1), scheme: oneBit)
        #expect(down.scales == [4] && down.zeroPoints == [1])
        #expect(AffineQuantization.fakeQuantize(Tensor(shape: [3], scalars: [-3, -1.9, 1]), with: down).scalars == [-4, 0, 0])

        // 2-bit symmetric is ternary: codes −1, 0, 1 cover [−amax, amax].
        let ternary = try AffineQuantization.parameters(for: QuantizationRange(minimum: -1, maximum: 0.5), scheme: QuantizationScheme(bits: 2))
        #expect(ternary.scales == [1] && ternary.minimumCode == -2 && ternary.maximumCode == 1)
        #expect(AffineQuantization.fakeQuantize(Tensor(shape: [5], scalars: [-1, -0.6, 0.4, 0.6, 1]), with: ternary).scalars == [-1, -1, 0, 1, 1])

        // 4 bits: signed codes −8...7, symmetric scale amax / 7.
        let four = try AffineQuantization.parameters(for: QuantizationRange(minimum: -3.5, maximum: 1), scheme: QuantizationScheme(bits: 4))
        #expect(four.scales == [0.5] && four.minimumCode == -8 && four.maximumCode == 7)
        #expect(AffineQuantization.quantize(Tensor(shape: [4], scalars: [3.5, 3.75, -3.75, -5]), with: four) == [7, 7, -8, -8])
        let fourUnsigned = try AffineQuantization.parameters(
            for: QuantizationRange(minimum: 0, maximum: 15), scheme: QuantizationScheme(bits: 4, isSigned: false, isSymmetric: false))
        #expect(fourUnsigned.scales == [1] && fourUnsigned.zeroPoints == [0] && fourUnsigned.maximumCode == 15)

        // 16 bits: error at most half a step.
        let sixteen = try AffineQuantization.parameters(for: QuantizationRange(minimum: -1, maximum: 1), scheme: QuantizationScheme(bits: 16))
        #expect(sixteen.scales == [Float(1) / 32767] && sixteen.minimumCode == -32768 && sixteen.maximumCode == 32767)
        var generator = SeededRandomNumberGenerator(seed: 16)
        let values = Tensor.randomUniform(shape: [1000], lowerBound: -1, upperBound: 1, using: &generator)
        let restored = AffineQuantization.fakeQuantize(values, with: sixteen)
        let worst = zip(values.scalars, restored.scalars).map { abs($0 - $1) }.max()!
        #expect(worst <= sixteen.scales[0] / 2 * 1.0001)
        let unsignedSixteen = QuantizationScheme(bits: 16, isSigned: false, isSymmetric: false)
        #expect(unsignedSixteen.maximumCode == 65535)

        #expect(throws: QuantizationError.self) { try QuantizationScheme(bits: 0).validate() }
        #expect(throws: QuantizationError.self) { try QuantizationScheme(bits: 17).validate() }
        #expect(throws: QuantizationError.invalidRange(minimum: 1, maximum: -1)) {
            try AffineQuantization.scaleAndZeroPoint(for: QuantizationRange(minimum: 1, maximum: -1), scheme: QuantizationScheme(bits: 8))
        }
        #expect(throws: QuantizationError.self) {
            try AffineQuantization.scaleAndZeroPoint(for: QuantizationRange(minimum: 0, maximum: .infinity), scheme: QuantizationScheme(bits: 8))
        }
    }

    @Test func zeroWidthRangeGetsUnitScale() throws {
        let zeros = try AffineQuantization.parameters(minMaxOf: Tensor(zeros: [2, 3]), scheme: .weights(bits: 8))
        #expect(zeros.scales == [1, 1] && zeros.zeroPoints == [0, 0])
        let activations = try AffineQuantization.parameters(for: QuantizationRange(minimum: 0, maximum: 0), scheme: .activations(bits: 8))
        #expect(activations.scales == [1] && activations.zeroPoints == [0])
    }

    @Test func fakeQuantizeEqualsQuantizeThenDequantize() throws {
        var generator = SeededRandomNumberGenerator(seed: 9)
        let tensor = Tensor.randomNormal(shape: [6, 5, 3], using: &generator)
        for scheme in [QuantizationScheme.weights(bits: 4), .weights(bits: 8), .activations(bits: 8),
                       QuantizationScheme(bits: 3, isSigned: true, isSymmetric: false, isPerChannel: true)] {
            let parameters = try AffineQuantization.parameters(minMaxOf: tensor, scheme: scheme)
            let reference = AffineQuantization.dequantize(AffineQuantization.quantize(tensor, with: parameters), shape: tensor.shape, with: parameters)
            #expect(AffineQuantization.fakeQuantize(tensor, with: parameters) == reference)
            // Fake quantization is idempotent.
            #expect(AffineQuantization.fakeQuantize(reference, with: parameters) == reference)
        }
    }

    @Test func straightThroughMaskMatchesFiniteDifferences() {
        // scale 0.1, codes −128...127: values inside pass the gradient, clamped ones have slope 0.
        let parameters = QuantizationParameters(bits: 8, isSigned: true, isSymmetric: true, axis: nil, scales: [0.1], zeroPoints: [0])
        var boundary = Tensor(shape: [4], scalars: [-12.8, -12.9, 12.7, 12.8])
        var boundaryMask = [Float](repeating: -1, count: 4)
        boundaryMask.withUnsafeMutableBufferPointer { AffineQuantization.fakeQuantize(&boundary, with: parameters, insideRange: $0.baseAddress) }
        #expect(boundaryMask == [1, 0, 1, 0]) // codes −128, −129, 127, 128
        let values: [Float] = [-20, -14, -3.33, 0, 2.5, 10.2, 14, 30]
        var tensor = Tensor(shape: [values.count], scalars: values)
        var mask = [Float](repeating: -1, count: values.count)
        mask.withUnsafeMutableBufferPointer { AffineQuantization.fakeQuantize(&tensor, with: parameters, insideRange: $0.baseAddress) }
        #expect(mask == [0, 0, 1, 1, 1, 1, 0, 0])
        let step: Float = 0.5 // a span of 5 quantization steps: the local slope of the staircase
        for (index, value) in values.enumerated() {
            let plus = AffineQuantization.fakeQuantize(Tensor(shape: [1], scalars: [value + step]), with: parameters).scalars[0]
            let minus = AffineQuantization.fakeQuantize(Tensor(shape: [1], scalars: [value - step]), with: parameters).scalars[0]
            let slope = (plus - minus) / (2 * step)
            if mask[index] == 0 {
                #expect(slope == 0, "value \(value)")
            } else {
                #expect(abs(slope - 1) <= 0.1 + 1e-4, "value \(value)")
            }
        }
    }
}
