import CShrinkKernels
import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The fp16-weight kernel against its Double-accumulating twin on every CPU path.
/// Tolerance: 1e-5 · (Σ_p |x_ip · w_jp| + |bias_j|), as the fp32 GEMM tests (fp32 accumulation).
@Suite(.serialized)
struct Float16LinearTests {
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 33), (1, 20, 9), (1, 100, 300), (1, 64, 5), (7, 33, 1), (1, 1000, 37), (33, 65, 130), (7, 130, 1003), (13, 64, 64), (2, 1, 1000),
    ]

    @Test func halfConversionIsExactForEveryBitPattern() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = shrink_f16_to_f32(bits)
            #expect(actual.bitPattern == expected.bitPattern || (actual.isNaN && expected.isNaN), "\(bits)")
            if !(actual.bitPattern == expected.bitPattern || (actual.isNaN && expected.isNaN)) { return }
        }
    }

    @Test func matchesTwinOnEveryPath() throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 131 + outputs * 17 + inputs))
            let weights = StoredMatrix.randomValues(count: outputs * inputs, generator: &generator)
            let halfBits = weights.map { Float16($0).bitPattern }
            let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
            let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
            let expected = ReferenceKernels.float16Linear(input, rows: rows, halfBits: halfBits, bias: bias,
                                                          outputCount: outputs, inputCount: inputs)
            let layer = try Float16LinearWeights(halfBits: halfBits, bias: bias, outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                let output = try CPUPath.withPath(path) { try layer.apply(input, rows: rows) }
                var worst = 0.0
                for i in 0..<rows {
                    for j in 0..<outputs {
                        var magnitude = Double(abs(bias[j]))
                        for p in 0..<inputs { magnitude += Double(abs(input[i * inputs + p] * weights[j * inputs + p])) }
                        worst = max(worst, Double(abs(output[i * outputs + j] - expected[i * outputs + j])) / magnitude)
                    }
                }
                #expect(worst <= 1e-5, "\(rows)×\(outputs)×\(inputs) on \(path): \(worst)")
            }
        }
    }
}
