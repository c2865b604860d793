import ShrinkKernels
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// The C im2col and scatter (`shrink_im2col`, `shrink_transpose_transform`) against their scalar
/// Swift twins on random shapes: 1×1 (the transpose path), 3×3, 5×5, padding, strides 1 and 2.
@Suite("Convolution lowering")
struct ConvolutionLoweringTests {
    static let shapes: [(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int, out: Int)] = [
        (3, 7, 9, 3, 1, 1, 5), (4, 8, 8, 3, 2, 1, 6), (5, 9, 6, 1, 1, 0, 17), (2, 10, 11, 1, 2, 0, 3),
        (3, 6, 7, 5, 1, 2, 4), (6, 5, 5, 3, 2, 0, 8), (1, 28, 28, 3, 1, 1, 16), (19, 4, 3, 1, 1, 0, 33),
        (2, 5, 4, 3, 1, 2, 2), (3, 12, 10, 7, 2, 3, 5), (8, 5, 6, 1, 1, 0, 12),
        (20, 1, 1, 1, 1, 0, 40), (7, 3, 3, 3, 1, 0, 18),
    ]

    static func work(_ shape: (channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int, out: Int))
        -> ExecutionPlan.ConvolutionWork {
        let convolution = Convolution2DOperator(
            inputChannels: shape.channels, outputChannels: shape.out,
            window: WindowGeometry(square: shape.kernel, stride: shape.stride, padding: shape.padding))
        return ExecutionPlan.ConvolutionWork(convolution: convolution, inputShape: [shape.channels, shape.height, shape.width])
    }

    @Test func im2colMatchesTheScalarLowering() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        for shape in Self.shapes {
            for batch in [1, 2] {
                let work = Self.work(shape)
                let input = (0..<(batch * shape.channels * shape.height * shape.width)).map { _ in
                    Float.random(in: -1...1, using: &generator)
                }
                work.prepare(batch: batch)
                let count = batch * work.pixels * work.depth
                input.withUnsafeBufferPointer { work.lowerReference($0.baseAddress!, batch: batch) }
                let expected = Array(work.columns.prefix(count))
                work.columns.update(repeating: .nan)
                input.withUnsafeBufferPointer { work.lower($0.baseAddress!, batch: batch) }
                #expect(Array(work.columns.prefix(count)) == expected, "\(shape) batch \(batch)")
            }
        }
    }

    /// The static-int8 lowering (quantize once, lay out as a padded channels-last image) gives
    /// the scalar twin's image: every input code in place, the padding reading the zero point;
    /// values beyond the calibrated range saturate alike.
    @Test(arguments: [Int32(0), 33, 255])
    func quantizedImageMatchesTheScalarLayout(zeroPoint: Int32) throws {
        var generator = SeededRandomNumberGenerator(seed: 13)
        let parameters = try StaticActivationQuantization(scale: 0.011, zeroPoint: zeroPoint)
        for shape in Self.shapes {
            for batch in [1, 3] {
                let work = Self.work(shape)
                let input = (0..<(batch * shape.channels * shape.height * shape.width)).map { _ in
                    Float.random(in: -3...3, using: &generator)
                }
                let expected = input.withUnsafeBufferPointer {
                    work.lowerQuantizedReference($0.baseAddress!, batch: batch, parameters: parameters)
                }
                work.prepareQuantized(batch: batch, parameters: parameters)
                work.imageCodes.update(repeating: 0xA5)
                let image = input.withUnsafeBufferPointer {
                    work.lowerQuantized($0.baseAddress!, batch: batch, parameters: parameters)
                }
                #expect(Array(UnsafeBufferPointer(start: image, count: expected.count)) == expected, "\(shape) batch \(batch)")
                #expect(work.rowScales.prefix(batch * work.pixels).allSatisfy { $0 == parameters.scale })
                #expect(work.rowZeroPoints.prefix(batch * work.pixels).allSatisfy { $0 == zeroPoint })
                #expect(try work.int8Geometry.depth == work.int8ColumnOrder.count)
            }
        }
    }

    @Test(arguments: [false, true], [false, true])
    func scatterMatchesTheScalarScatter(affine: Bool, relu: Bool) {
        var generator = SeededRandomNumberGenerator(seed: 11)
        for shape in Self.shapes {
            let batch = 2, work = Self.work(shape)
            work.prepare(batch: batch)
            let count = batch * work.pixels * shape.out
            for index in 0..<count { work.products[index] = Float.random(in: -2...2, using: &generator) }
            let scale = affine ? (0..<shape.out).map { _ in Float.random(in: -1.5...1.5, using: &generator) } : nil
            let shift = affine ? (0..<shape.out).map { _ in Float.random(in: -1...1, using: &generator) } : nil
            let transform = ExecutionPlan.OutputTransform(channels: shape.out, scale: scale, shift: shift, relu: relu)
            var expected = [Float](repeating: 0, count: count), actual = [Float](repeating: .nan, count: count)
            expected.withUnsafeMutableBufferPointer { work.scatterReference(batch: batch, into: $0.baseAddress!, transform: transform) }
            actual.withUnsafeMutableBufferPointer { work.scatter(batch: batch, into: $0.baseAddress!, transform: transform) }
            #expect(actual == expected, "\(shape)")
        }
    }
}
