import CShrinkKernels
import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The fp32 panel row kernel (small batch) and panel GEMM (larger batch) linear paths against their
/// Double-accumulating twin on every CPU path, including tails of k not a multiple of 16 or 8
/// and channel counts not a multiple of the 8- or 4-row blocks.
/// Tolerance: 1e-5 · (Σ_p |x_ip · w_jp| + |bias_j|) (fp32 accumulation, as the GEMM tests).
@Suite
struct Float32LinearTests {
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 33), (2, 9, 17), (3, 13, 100), (4, 10, 784), (5, 11, 31), (1, 300, 784), (2, 1, 1000),
        (9, 33, 65),
        // Several depth slices of the panel layout (k > 384, uneven), partial last panels, a
        // batch split by rows (much taller than wide), and the GEMM's row blocks past MR.
        (3, 45, 800), (9, 33, 800), (64, 70, 1000), (40, 10, 784), (6, 64, 385), (25, 96, 769),
    ]

    @Test func matchesTwinOnEveryPath() throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 131 + outputs * 17 + inputs))
            let weights = StoredMatrix.randomValues(count: outputs * inputs, generator: &generator)
            let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
            let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
            for withBias in [true, false] {
                let expected = ReferenceKernels.float32Linear(input, rows: rows, weights: weights, bias: withBias ? bias : nil,
                                                              outputCount: outputs, inputCount: inputs)
                let layer = try Float32LinearWeights(weights: weights, bias: withBias ? bias : nil,
                                                     outputCount: outputs, inputCount: inputs)
                for path in CPUPath.available {
                    for threads in [1, 2] {
                        var output = [Float](repeating: .nan, count: rows * outputs)
                        CPUPath.withPath(path) {
                            input.withUnsafeBufferPointer { x in
                                output.withUnsafeMutableBufferPointer { y in
                                    layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!, threadCount: threads)
                                }
                            }
                        }
                        var worst = 0.0
                        for i in 0..<rows {
                            for j in 0..<outputs {
                                var magnitude = withBias ? Double(abs(bias[j])) : 0
                                for p in 0..<inputs { magnitude += Double(abs(input[i * inputs + p] * weights[j * inputs + p])) }
                                let error = Double(abs(output[i * outputs + j] - expected[i * outputs + j])) / max(magnitude, 1e-30)
                                worst = max(worst, error.isNaN ? .infinity : error)
                            }
                        }
                        #expect(worst <= 1e-5, "\(rows)×\(outputs)×\(inputs) bias \(withBias) on \(path), \(threads) threads: \(worst)")
                    }
                }
            }
        }
    }

    @Test func panelsRoundTripTheWeights() throws {
        for (outputs, inputs) in [(1, 1), (33, 800), (300, 784), (10, 385), (50, 70), (64, 3)] {
            var generator = SeededRandomNumberGenerator(seed: UInt64(outputs * 1000 + inputs))
            let weights = StoredMatrix.randomValues(count: outputs * inputs, generator: &generator)
            let layer = try Float32LinearWeights(weights: weights, outputCount: outputs, inputCount: inputs)
            #expect(layer.weights == weights)
            // 32-column panels and a 16-column last one when that suffices, zero past the outputs.
            #expect(layer.packedByteCount == 4 * inputs * ((outputs + 15) / 16 * 16))
        }
    }

    @Test func rejectsMismatchedCounts() {
        #expect(throws: RuntimeKernelError.countMismatch(name: "weights", expected: 6, actual: 5)) {
            try Float32LinearWeights(weights: [Float](repeating: 0, count: 5), outputCount: 2, inputCount: 3)
        }
    }
}
