import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The palettized int8 kernel (vpshufb look-up + vpdpbusd) against the int8 twins applied to the
/// expanded s8 weights, on every CPU path: exact int32 sums; outputs within 1e-6 · (|y| + |bias|).
@Suite(.serialized)
struct QuantizedPaletteLinearTests {
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 33), (7, 33, 1), (1, 1000, 37), (5, 65, 130), (6, 130, 1003), (2, 3, 8), (1, 5, 12), (3, 64, 4),
    ]

    @Test func matchesInt8TwinOnEveryPath() throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 131 + outputs * 17 + inputs))
            let centroidCount = inputs % 2 == 0 ? 16 : 11
            let centroids = StoredMatrix.randomValues(count: centroidCount, generator: &generator)
            let indices = (0..<(outputs * inputs)).map { _ in UInt8(generator.next() % UInt64(centroidCount)) }
            let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
            let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
            let layer = try QuantizedPaletteLinearWeights(indices: indices, centroids: centroids, bias: bias,
                                                          outputCount: outputs, inputCount: inputs)
            let weights = QuantizedPaletteLinearWeights.expandedWeights(indices: indices, codebook: layer.codebook)
            let scales = [Float](repeating: layer.codebookScale, count: outputs)
            var quantized = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
            for p in 0..<min(inputs, 200) { quantized.codes[p] = 255 }
            let expectedSums = ReferenceKernels.int8Accumulate(codes: quantized.codes, rows: rows, weights: weights,
                                                              outputCount: outputs, inputCount: inputs)
            let dynamic = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
            let expected = ReferenceKernels.int8Linear(dynamic, weights: weights, scales: scales, bias: bias,
                                                       outputCount: outputs, inputCount: inputs)
            for path in CPUPath.available {
                try CPUPath.withPath(path) {
                    let label = "\(rows)×\(outputs)×\(inputs) on \(path)"
                    #expect(try layer.accumulate(codes: quantized.codes, rows: rows) == expectedSums, "\(label)")
                    var output = [Float](repeating: .nan, count: rows * outputs)
                    try input.withUnsafeBufferPointer { x in
                        try output.withUnsafeMutableBufferPointer { y in
                            try layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!)
                        }
                    }
                    #expect(Int8LinearTests.close(output, expected, bias: bias, rows: rows), "\(label)")
                }
            }
            // The s8 codebook approximates the centroids within half a quantization step.
            for (code, centroid) in zip(layer.codebook, centroids) {
                #expect(abs(Float(code) * layer.codebookScale - centroid) <= layer.codebookScale * 0.5001)
            }
        }
    }
}
