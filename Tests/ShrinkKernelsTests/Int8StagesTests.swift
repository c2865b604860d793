import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The staged int8 call (quantize, int32 products, dequantize, each timed) against the fused one
/// on every CPU path: same codes, same exact sums, same float epilogue, so the outputs may differ
/// by at most 1e-6 · (|y| + |bias|) + 1e-30 (as the int8 twin tolerance).
@Suite
struct Int8StagesTests {
    @Test func stagedMatchesFusedOnEveryPath() throws {
        for (rows, outputs, inputs) in [(1, 7, 33), (3, 65, 130), (2, 1, 1000), (1, 300, 784)] {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 7 + outputs * 13 + inputs))
            let weights = (0..<(outputs * inputs)).map { _ in generator.nextUniform() * 2 - 1 }
            let bias = (0..<outputs).map { _ in generator.nextUniform() - 0.5 }
            let input = (0..<(rows * inputs)).map { _ in generator.nextUniform() * 3 - 1 }
            let layer = try Int8LinearWeights(quantizing: weights, bias: bias, outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                var fused = [Float](repeating: .nan, count: rows * outputs), staged = fused
                var stages = Int8StageSeconds(quantize: -1, multiply: -1, dequantize: -1)
                try CPUPath.withPath(path) {
                    try input.withUnsafeBufferPointer { x in
                        try fused.withUnsafeMutableBufferPointer { y in
                            try layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!)
                        }
                        staged.withUnsafeMutableBufferPointer { y in
                            stages = layer.applyTimingStages(input: x.baseAddress!, rows: rows, output: y.baseAddress!)
                        }
                    }
                }
                for index in fused.indices {
                    let tolerance = 1e-6 * (abs(fused[index]) + abs(bias[index % outputs])) + 1e-30
                    #expect(abs(fused[index] - staged[index]) <= tolerance, "\(rows)×\(outputs)×\(inputs) on \(path) at \(index)")
                }
                #expect(stages.quantize >= 0 && stages.multiply >= 0 && stages.dequantize >= 0)
            }
        }
    }
}
