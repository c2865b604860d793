import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// Static (calibrated) activation quantization against its Swift twin on every CPU path, and the
/// fused static int8 call against the twin chain (same codes, exact sums, float epilogue).
@Suite(.serialized)
struct Int8StaticTests {
    @Test func staticQuantizationMatchesTwinExactly() throws {
        var generator = SeededRandomNumberGenerator(seed: 21)
        let parameters = try StaticActivationQuantization(scale: 0.0123, zeroPoint: 37)
        for (rows, columns) in [(1, 1), (3, 7), (2, 33), (5, 1000), (1, 17)] {
            // Some values far outside the calibrated range: they saturate to 0 or 255.
            var input = (0..<(rows * columns)).map { _ in generator.nextUniform() * 6 - 2 }
            input[0] = .nan
            let expected = ReferenceKernels.quantizeActivations(input, rows: rows, columns: columns, parameters: parameters)
            #expect(expected.codes.contains(255) || rows * columns < 8)
            for path in CPUPath.available {
                let actual = try CPUPath.withPath(path) {
                    try QuantizedActivations(quantizing: input, rows: rows, columns: columns, parameters: parameters)
                }
                #expect(actual == expected, "\(rows)×\(columns) on \(path)")
            }
        }
        #expect(throws: RuntimeKernelError.self) { try StaticActivationQuantization(scale: 0, zeroPoint: 0) }
        #expect(throws: RuntimeKernelError.self) { try StaticActivationQuantization(scale: 1, zeroPoint: 256) }
    }

    @Test func staticLinearMatchesTwinAndStagesOnEveryPath() throws {
        let parameters = try StaticActivationQuantization(scale: 3.0 / 255, zeroPoint: 85)
        for (rows, outputs, inputs) in [(1, 7, 33), (3, 65, 130), (1, 300, 784), (2, 1, 1000)] {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 5 + outputs * 11 + inputs))
            let weights = (0..<(outputs * inputs)).map { _ in generator.nextUniform() * 2 - 1 }
            let bias = (0..<outputs).map { _ in generator.nextUniform() - 0.5 }
            let input = (0..<(rows * inputs)).map { _ in generator.nextUniform() * 3 - 1 }
            let layer = try Int8LinearWeights(quantizing: weights, bias: bias, outputCount: outputs, inputCount: inputs)
            let (codes, scales) = ReferenceKernels.quantizeWeightsSymmetric(weights, outputCount: outputs, inputCount: inputs)
            let expected = ReferenceKernels.int8Linear(
                ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, parameters: parameters),
                weights: codes, scales: scales, bias: bias, outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                for threads in [1, 2] {
                    var fused = [Float](repeating: .nan, count: rows * outputs), staged = fused
                    try CPUPath.withPath(path) {
                        try input.withUnsafeBufferPointer { x in
                            try fused.withUnsafeMutableBufferPointer { y in
                                try layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!,
                                                parameters: parameters, threadCount: threads)
                            }
                            staged.withUnsafeMutableBufferPointer { y in
                                _ = layer.applyTimingStages(input: x.baseAddress!, rows: rows, output: y.baseAddress!,
                                                            parameters: parameters)
                            }
                        }
                    }
                    for index in fused.indices {
                        let tolerance = 1e-6 * (abs(expected[index]) + abs(bias[index % outputs])) + 1e-30
                        #expect(abs(fused[index] - expected[index]) <= tolerance, "\(rows)×\(outputs)×\(inputs) \(path) \(threads)")
                        #expect(abs(staged[index] - expected[index]) <= tolerance, "staged \(rows)×\(outputs)×\(inputs) \(path)")
                    }
                }
            }
        }
    }
}

/// The int8 epilogue's fused ReLU (dynamic and static inputs, every path, one and two threads)
/// against the twin chain followed by `ReferenceKernels.relu`.
@Suite(.serialized)
struct Int8FusedReLUTests {
    @Test func fusedReLUMatchesTwinOnEveryPath() throws {
        let parameters = try StaticActivationQuantization(scale: 3.0 / 255, zeroPoint: 85)
        for (rows, outputs, inputs) in [(1, 7, 33), (3, 65, 130), (1, 300, 784), (7, 100, 300)] {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 3 + outputs * 7 + inputs))
            let weights = (0..<(outputs * inputs)).map { _ in generator.nextUniform() * 2 - 1 }
            let bias = (0..<outputs).map { _ in generator.nextUniform() - 0.5 }
            let input = (0..<(rows * inputs)).map { _ in generator.nextUniform() * 3 - 1 }
            let layer = try Int8LinearWeights(quantizing: weights, bias: bias, outputCount: outputs, inputCount: inputs)
            let (codes, scales) = ReferenceKernels.quantizeWeightsSymmetric(weights, outputCount: outputs, inputCount: inputs)
            for quantization in [Int8InputQuantization.dynamic(.perRow), .dynamic(.perTensor), .calibrated(parameters)] {
                let activations = switch quantization {
                case let .dynamic(granularity):
                    ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: granularity)
                case let .calibrated(parameters):
                    ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, parameters: parameters)
                }
                let expected = ReferenceKernels.relu(ReferenceKernels.int8Linear(
                    activations, weights: codes, scales: scales, bias: bias, outputCount: outputs, inputCount: inputs))
                #expect(expected.contains(0) && expected.contains { $0 > 0 })
                for path in CPUPath.available {
                    for threads in [1, 2] {
                        var output = [Float](repeating: .nan, count: rows * outputs)
                        try CPUPath.withPath(path) {
                            try input.withUnsafeBufferPointer { x in
                                try output.withUnsafeMutableBufferPointer { y in
                                    try layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!,
                                                    quantization: quantization, relu: true, threadCount: threads)
                                }
                            }
                        }
                        for index in output.indices {
                            let tolerance = 1e-6 * (abs(expected[index]) + abs(bias[index % outputs])) + 1e-30
                            #expect(abs(output[index] - expected[index]) <= tolerance,
                                    "\(rows)×\(outputs)×\(inputs) \(quantization) \(path) \(threads) at \(index)")
                        }
                    }
                }
            }
        }
    }
}
