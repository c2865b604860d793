import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The int8 kernels (quantization, VNNI / AVX2 / portable products) against their Swift twins on
/// every CPU path. Codes and int32 sums must match exactly; the dequantized output may differ from
/// the twin (same formula, Float) by at most 1e-6 · (|y| + |bias|) + 1e-30.
@Suite(.serialized)
struct Int8LinearTests {
    /// (rows, outputCount, inputCount): 1, 7, 33, ~1000, non-multiples of 4, 16 and 64.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 33), (7, 33, 1), (1, 1000, 37), (33, 65, 130), (7, 130, 1003),
        (13, 64, 64), (2, 1, 1000), (64, 17, 257),
    ]

    static func randomInput(count: Int, generator: inout SeededRandomNumberGenerator) -> [Float] {
        (0..<count).map { _ in generator.nextUniform() * 3 - 1 }
    }

    static func randomCodes(count: Int, generator: inout SeededRandomNumberGenerator) -> [Int8] {
        (0..<count).map { _ in Int8(truncatingIfNeeded: Int(generator.next() % 255) - 127) }
    }

    @Test func quantizationMatchesTwinExactly() throws {
        var generator = SeededRandomNumberGenerator(seed: 11)
        for (rows, columns) in [(1, 1), (3, 7), (2, 33), (5, 1000), (1, 17)] {
            var input = Self.randomInput(count: rows * columns, generator: &generator)
            if rows > 1 { for p in 0..<columns { input[p] = abs(input[p]) + 0.5 } } // a row without zero in range
            for granularity in [ActivationQuantizationGranularity.perRow, .perTensor] {
                let expected = ReferenceKernels.quantizeActivations(input, rows: rows, columns: columns, granularity: granularity)
                for path in CPUPath.available {
                    let actual = try CPUPath.withPath(path) {
                        try QuantizedActivations(quantizing: input, rows: rows, columns: columns, granularity: granularity)
                    }
                    #expect(actual == expected, "\(rows)×\(columns) \(granularity) on \(path)")
                }
                // Zero maps exactly to the zero point; codes reconstruct within half a step.
                for row in 0..<rows {
                    let scale = expected.scales[row], zero = Float(expected.zeroPoints[row])
                    for p in 0..<columns {
                        let restored = scale * (Float(expected.codes[row * columns + p]) - zero)
                        #expect(abs(restored - input[row * columns + p]) <= scale * 0.5001)
                    }
                }
            }
        }
        let zeros = try QuantizedActivations(quantizing: [0, 0, 0], rows: 1, columns: 3, granularity: .perRow)
        #expect(zeros.codes == [0, 0, 0] && zeros.scales == [1] && zeros.zeroPoints == [0])
    }

    @Test func productsMatchTwinOnEveryPath() throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 7919 + outputs * 31 + inputs))
            var weights = Self.randomCodes(count: outputs * inputs, generator: &generator)
            if !weights.isEmpty { weights[0] = -127; weights[weights.count - 1] = 127 }
            let scales = (0..<outputs).map { _ in generator.nextUniform() * 0.01 + 0.001 }
            let bias = Self.randomInput(count: outputs, generator: &generator)
            let input = Self.randomInput(count: rows * inputs, generator: &generator)
            var quantized = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
            // Extreme codes: 255 · 127 products in long sums must not saturate anywhere.
            for p in 0..<min(inputs, 300) { quantized.codes[p] = 255 }
            let packed = try Int8LinearWeights(weights: weights, scales: scales, bias: bias,
                                               outputCount: outputs, inputCount: inputs)
            let expectedSums = ReferenceKernels.int8Accumulate(codes: quantized.codes, rows: rows, weights: weights,
                                                              outputCount: outputs, inputCount: inputs)
            let expectedOutput = ReferenceKernels.int8Linear(quantized, weights: weights, scales: scales, bias: bias,
                                                             outputCount: outputs, inputCount: inputs)
            let dynamicQuantized = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perTensor)
            let expectedDynamic = ReferenceKernels.int8Linear(dynamicQuantized, weights: weights, scales: scales, bias: bias,
                                                              outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                try CPUPath.withPath(path) {
                    let label = "\(rows)×\(outputs)×\(inputs) on \(path)"
                    #expect(try packed.accumulate(codes: quantized.codes, rows: rows) == expectedSums, "\(label)")
                    let output = try packed.apply(quantized)
                    #expect(Self.close(output, expectedOutput, bias: bias, rows: rows), "\(label)")
                    var dynamic = [Float](repeating: .nan, count: rows * outputs)
                    try input.withUnsafeBufferPointer { x in
                        try dynamic.withUnsafeMutableBufferPointer { y in
                            try packed.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!, granularity: .perTensor)
                        }
                    }
                    #expect(Self.close(dynamic, expectedDynamic, bias: bias, rows: rows), "dynamic \(label)")
                }
            }
        }
    }

    @Test func quantizedWeightsApproximateTheFloatProduct() throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let (rows, outputs, inputs) = (3, 20, 200)
        let weights = Self.randomInput(count: outputs * inputs, generator: &generator)
        let input = Self.randomInput(count: rows * inputs, generator: &generator)
        let layer = try Int8LinearWeights(quantizing: weights, outputCount: outputs, inputCount: inputs)
        var output = [Float](repeating: 0, count: rows * outputs)
        try input.withUnsafeBufferPointer { x in
            try output.withUnsafeMutableBufferPointer { y in try layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!) }
        }
        for i in 0..<rows {
            for j in 0..<outputs {
                var exact: Float = 0, magnitude: Float = 0
                for p in 0..<inputs {
                    exact += input[i * inputs + p] * weights[j * inputs + p]
                    magnitude += abs(input[i * inputs + p] * weights[j * inputs + p])
                }
                // Quantization error: ≤ ~1 % of the sum of magnitudes for 8-bit codes.
                #expect(abs(output[i * outputs + j] - exact) <= 0.01 * magnitude)
            }
        }
    }

    @Test func rejectsMismatchedShapes() {
        #expect(throws: RuntimeKernelError.countMismatch(name: "scales", expected: 2, actual: 1)) {
            try Int8LinearWeights(weights: [1, 2, 3, 4], scales: [1], outputCount: 2, inputCount: 2)
        }
    }

    static func close(_ actual: [Float], _ expected: [Float], bias: [Float], rows: Int) -> Bool {
        guard actual.count == expected.count else { return false }
        let outputs = bias.count
        for index in actual.indices {
            let allowed = 1e-6 * (abs(expected[index]) + abs(bias[index % max(outputs, 1)])) + 1e-30
            if !(abs(actual[index] - expected[index]) <= allowed) { return false }
        }
        return true
    }
}
