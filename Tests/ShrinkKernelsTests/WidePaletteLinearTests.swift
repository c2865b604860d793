import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The wide-palette gather kernel (9- to 16-bit indices) against its Double-accumulating twin on
/// every CPU path: ragged last panels of 1, 2 and 3 16-column blocks, depths that are not
/// multiples of 16 or of the 64-depth decoded blocks, and row counts on both sides of the 6-row
/// tile (AVX-512 gathers directly up to 6 rows, decodes depth blocks from 7 on). Tolerance:
/// 1e-5 · (Σ_p |x_ip · w_jp| + |bias_j|), as the other kernel tests.
@Suite(.serialized)
struct WidePaletteLinearTests {
    /// (rows, outputs, inputs).
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 200, 37), (2, 97, 130), (3, 45, 300), (5, 130, 17), (6, 64, 65),
        (7, 81, 200), (64, 33, 129), (70, 150, 67),
    ]

    /// A random layer of `centroidCount` centroids whose indices use every centroid at least once
    /// when the matrix has room (the largest, centroidCount − 1, always).
    static func layer(bitWidth: Int, centroidCount: Int, outputs: Int, inputs: Int,
                      generator: inout SeededRandomNumberGenerator) throws
        -> (weights: WidePaletteLinearWeights, indices: [UInt16], bias: [Float]) {
        let centroids = StoredMatrix.randomValues(count: centroidCount, generator: &generator)
        var indices = (0..<(outputs * inputs)).map { _ in UInt16(generator.next() % UInt64(centroidCount)) }
        indices[indices.count - 1] = UInt16(centroidCount - 1)
        let bias = StoredMatrix.randomValues(count: outputs, generator: &generator)
        let weights = try WidePaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: bitWidth, bias: bias,
                                                   outputCount: outputs, inputCount: inputs)
        return (weights, indices, bias)
    }

    /// Checks `layer` on every CPU path against the twin for `rows` random rows.
    static func expectMatchesTwin(_ layer: WidePaletteLinearWeights, indices: [UInt16], rows: Int,
                                  generator: inout SeededRandomNumberGenerator) throws {
        let (outputs, inputs) = (layer.outputCount, layer.inputCount)
        let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
        let expected = ReferenceKernels.paletteLinear(input, rows: rows, indices: indices, centroids: layer.centroids,
                                                      bias: layer.bias, outputCount: outputs, inputCount: inputs)
        for path in CPUPath.available {
            let output = try CPUPath.withPath(path) { try layer.apply(input, rows: rows) }
            let worst = PaletteTolerance.worstRelativeError(output, expected, input: input, indices: indices,
                                                            centroids: layer.centroids, bias: layer.bias,
                                                            rows: rows, outputCount: outputs, inputCount: inputs)
            #expect(worst <= 1e-5, "\(layer.bitWidth) bits \(rows)×\(outputs)×\(inputs) on \(path): \(worst)")
        }
    }

    @Test(arguments: [(9, 300), (12, 4096), (16, 65536)])
    func matchesTwinOnEveryPath(bitWidth: Int, centroidCount: Int) throws {
        for (rows, outputs, inputs) in Self.shapes {
            var generator = SeededRandomNumberGenerator(seed: UInt64(bitWidth * 100_003 + rows * 131 + outputs * 17 + inputs))
            let (layer, indices, _) = try Self.layer(bitWidth: bitWidth, centroidCount: centroidCount, outputs: outputs,
                                                     inputs: inputs, generator: &generator)
            try Self.expectMatchesTwin(layer, indices: indices, rows: rows, generator: &generator)
        }
    }

    @Test("one centroid: every weight is that value")
    func singleCentroid() throws {
        var generator = SeededRandomNumberGenerator(seed: 77)
        for (rows, outputs, inputs) in [(1, 70, 33), (7, 70, 130)] {
            let (layer, indices, _) = try Self.layer(bitWidth: 10, centroidCount: 1, outputs: outputs, inputs: inputs,
                                                     generator: &generator)
            #expect(indices.allSatisfy { $0 == 0 })
            try Self.expectMatchesTwin(layer, indices: indices, rows: rows, generator: &generator)
        }
    }

    @Test("every one of 65,536 centroids is looked up (16-bit indices 0...65535)")
    func fullSixteenBitTable() throws {
        var generator = SeededRandomNumberGenerator(seed: 65_536)
        let (outputs, inputs) = (256, 256)
        let centroids = StoredMatrix.randomValues(count: 1 << 16, generator: &generator)
        // Weight j·256 + p has index j·256 + p: each centroid once, the last ones in the last panel.
        let indices = (0..<(outputs * inputs)).map { UInt16($0) }
        let layer = try WidePaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: 16,
                                                 outputCount: outputs, inputCount: inputs)
        for rows in [1, 9] { try Self.expectMatchesTwin(layer, indices: indices, rows: rows, generator: &generator) }
    }

    @Test("threads split whole panels: the same results on 1 and 2 threads")
    func threadCountIndependent() throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let (layer, _, _) = try Self.layer(bitWidth: 11, centroidCount: 2000, outputs: 200, inputs: 90, generator: &generator)
        for rows in [1, 8] {
            let input = StoredMatrix.randomValues(count: rows * 90, generator: &generator)
            var outputs = [[Float]]()
            for threads in [1, 2] {
                var output = [Float](repeating: .nan, count: rows * 200)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!, threadCount: threads)
                    }
                }
                outputs.append(output)
            }
            #expect(outputs[0] == outputs[1])
        }
    }

    @Test func rejectsBadIndicesWidthsAndCounts() {
        #expect(throws: RuntimeKernelError.invalidValue(name: "index", value: 300, allowed: "0..<300")) {
            try WidePaletteLinearWeights(indices: [0, 300], centroids: [Float](repeating: 1, count: 300), bitWidth: 9,
                                         outputCount: 1, inputCount: 2)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "index", value: 65535, allowed: "0..<1")) {
            try WidePaletteLinearWeights(indices: [65535], centroids: [1], bitWidth: 16, outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "bitWidth", value: 8, allowed: "9...16")) {
            try WidePaletteLinearWeights(indices: [0], centroids: [1], bitWidth: 8, outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "centroid count", value: 513, allowed: "1...512")) {
            try WidePaletteLinearWeights(indices: [0], centroids: [Float](repeating: 0, count: 513), bitWidth: 9,
                                         outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "centroid count", value: 0, allowed: "1...1024")) {
            try WidePaletteLinearWeights(indices: [0], centroids: [], bitWidth: 10, outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.countMismatch(name: "indices", expected: 6, actual: 5)) {
            try WidePaletteLinearWeights(indices: [0, 0, 0, 0, 0], centroids: [1], bitWidth: 9, outputCount: 2, inputCount: 3)
        }
    }
}

/// The error measure of the palette kernel tests.
enum PaletteTolerance {
    /// max over outputs of |output − expected| / (Σ_p |x_ip · centroids[index_jp]| + |bias_j|).
    static func worstRelativeError<Index: BinaryInteger>(
        _ output: [Float], _ expected: [Float], input: [Float], indices: [Index], centroids: [Float], bias: [Float]?,
        rows: Int, outputCount: Int, inputCount: Int
    ) -> Double {
        var worst = 0.0
        for i in 0..<rows {
            for j in 0..<outputCount {
                var magnitude = Double(abs(bias?[j] ?? 0))
                for p in 0..<inputCount {
                    magnitude += Double(abs(input[i * inputCount + p] * centroids[Int(indices[j * inputCount + p])]))
                }
                worst = max(worst, Double(abs(output[i * outputCount + j] - expected[i * outputCount + j])) / max(magnitude, 1e-30))
            }
        }
        return worst
    }
}
