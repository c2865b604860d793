import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// Multi-threaded runtime kernels split output channels into whole panels, so every thread count
/// must give bit-identical results (checked on every CPU path, with ragged last panels).
@Suite(.serialized)
struct RuntimeKernelThreadingTests {
    static let (rows, outputs, inputs) = (3, 200, 70)

    static func run(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) throws -> Void) rethrows -> [[Float]] {
        var generator = SeededRandomNumberGenerator(seed: 99)
        let input = StoredMatrix.randomValues(count: rows * inputs, generator: &generator)
        var results: [[Float]] = []
        for threadCount in [1, 2, 3] {
            var output = [Float](repeating: .nan, count: rows * outputs)
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in try body(x.baseAddress!, y.baseAddress!, threadCount) }
            }
            results.append(output)
        }
        return results
    }

    static func expectIdentical(_ results: [[Float]], _ label: String) {
        #expect(!results[0].contains { $0.isNaN }, "\(label): unwritten outputs")
        for result in results.dropFirst() {
            #expect(result.map(\.bitPattern) == results[0].map(\.bitPattern), "\(label)")
        }
    }

    @Test func everyKernelGivesTheSameResultOnAnyThreadCount() throws {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let weights = StoredMatrix.randomValues(count: Self.outputs * Self.inputs, generator: &generator)
        let bias = StoredMatrix.randomValues(count: Self.outputs, generator: &generator)
        let indices = (0..<weights.count).map { _ in UInt8(generator.next() % 16) }
        let centroids = StoredMatrix.randomValues(count: 16, generator: &generator)
        let int8 = try Int8LinearWeights(quantizing: weights, bias: bias, outputCount: Self.outputs, inputCount: Self.inputs)
        let half = try Float16LinearWeights(rounding: weights, bias: bias, outputCount: Self.outputs, inputCount: Self.inputs)
        let palette = try PaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: 4, bias: bias,
                                               outputCount: Self.outputs, inputCount: Self.inputs)
        let bytePalette = try PaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: 6, bias: bias,
                                                   outputCount: Self.outputs, inputCount: Self.inputs)
        let quantizedPalette = try QuantizedPaletteLinearWeights(indices: indices, centroids: centroids, bias: bias,
                                                                 outputCount: Self.outputs, inputCount: Self.inputs)
        let sparse = try SparseLinearWeights(dense: weights.map { abs($0) > 0.8 ? $0 : 0 }, bias: bias,
                                             outputCount: Self.outputs, inputCount: Self.inputs)
        for path in CPUPath.available {
            try CPUPath.withPath(path) {
                Self.expectIdentical(try Self.run { try int8.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) }, "int8 \(path)")
                Self.expectIdentical(Self.run { half.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) }, "fp16 \(path)")
                Self.expectIdentical(Self.run { palette.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) }, "palette \(path)")
                Self.expectIdentical(Self.run { bytePalette.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) },
                                     "byte palette \(path)")
                Self.expectIdentical(try Self.run { try quantizedPalette.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) },
                                     "palette int8 \(path)")
                Self.expectIdentical(Self.run { sparse.apply(input: $0, rows: Self.rows, output: $1, threadCount: $2) }, "sparse \(path)")
            }
        }
    }
}
