import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The palettized look-up kernel against its Double-accumulating twin, for every bit width
/// 1...8 (nibble and byte layouts; vpermps, vpermt2ps and gather look-ups) on every CPU path.
/// Tolerance: 1e-5 · (Σ_p |x_ip · w_jp| + |bias_j|), as the fp32 GEMM tests.
@Suite(.serialized)
struct PaletteLinearTests {
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 33), (7, 33, 1), (1, 1000, 37), (5, 65, 130), (6, 130, 1003)]

    @Test(arguments: Array(1...8))
    func matchesTwinOnEveryPath(bitWidth: Int) throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(bitWidth * 100_003 + rows * 131 + outputs * 17 + inputs))
            // Use fewer centroids than 2^bits for some widths: the table tail must stay unused.
            let centroidCount = bitWidth == 3 ? 5 : 1 << bitWidth
            let centroids = StoredMatrix.randomValues(count: centroidCount, generator: &generator)
            let indices = (0..<(outputs * inputs)).map { _ in UInt8(generator.next() % UInt64(centroidCount)) }
            let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
            let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
            let expected = ReferenceKernels.paletteLinear(input, rows: rows, indices: indices, centroids: centroids, bias: bias,
                                                          outputCount: outputs, inputCount: inputs)
            let layer = try PaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: bitWidth, bias: bias,
                                                 outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                let output = try CPUPath.withPath(path) { try layer.apply(input, rows: rows) }
                let worst = PaletteTolerance.worstRelativeError(output, expected, input: input, indices: indices,
                                                                centroids: centroids, bias: bias, rows: rows,
                                                                outputCount: outputs, inputCount: inputs)
                #expect(worst <= 1e-5, "\(bitWidth) bits \(rows)×\(outputs)×\(inputs) on \(path): \(worst)")
            }
        }
    }

    @Test func rejectsBadIndicesAndWidths() {
        #expect(throws: RuntimeKernelError.invalidValue(name: "index", value: 2, allowed: "0..<2")) {
            try PaletteLinearWeights(indices: [0, 2], centroids: [1, 2], bitWidth: 1, outputCount: 1, inputCount: 2)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "bitWidth", value: 9, allowed: "1...8")) {
            try PaletteLinearWeights(indices: [0], centroids: [1], bitWidth: 9, outputCount: 1, inputCount: 1)
        }
    }
}
