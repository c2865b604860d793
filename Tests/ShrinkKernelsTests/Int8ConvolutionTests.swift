import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The in-place int8 convolution (`applyConvolution`, windows read straight from a padded
/// channels-last image) against its twin: the windows copied out as rows
/// (`ReferenceKernels.convolutionRows`) and the int8 product on them. Both run the same integer
/// sums and epilogue, so the outputs must be identical, on every CPU path and thread count.
@Suite(.serialized)
struct Int8ConvolutionTests {
    /// (channels, image height, image width, kernel, stride, output channels): 3×3 stride 1 and 2,
    /// 1×1, 5×5, a 1×1 output, more than one 64-channel panel, output counts off the 16-lane blocks,
    /// and channel counts off the 4-byte steps (copied-out rows on every path).
    static let shapes: [(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, outputs: Int)] = [
        (4, 30, 30, 3, 1, 16), (16, 16, 16, 3, 1, 16), (16, 16, 16, 3, 2, 32), (8, 9, 7, 1, 1, 24),
        (12, 8, 8, 1, 2, 70), (4, 11, 9, 5, 2, 5), (32, 3, 3, 3, 1, 130), (20, 6, 5, 3, 1, 1),
        (1, 30, 30, 3, 1, 16), (3, 12, 12, 3, 2, 8), (6, 7, 7, 1, 1, 9),
    ]

    @Test(arguments: shapes.indices)
    func inPlaceWindowsMatchTheCopiedRows(index: Int) throws {
        let shape = Self.shapes[index]
        var generator = SeededRandomNumberGenerator(seed: UInt64(300 + index))
        let geometry = try Int8ConvolutionGeometry(
            outputHeight: (shape.height - shape.kernel) / shape.stride + 1,
            outputWidth: (shape.width - shape.kernel) / shape.stride + 1,
            imageWidth: shape.width, channels: shape.channels, kernelSize: shape.kernel, stride: shape.stride)
        let image = (0..<(shape.height * shape.width * shape.channels)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let codes = Int8LinearTests.randomCodes(count: shape.outputs * geometry.depth, generator: &generator)
        let weights = try Int8LinearWeights(
            weights: codes, scales: (0..<shape.outputs).map { _ in generator.nextUniform() * 0.01 + 0.001 },
            bias: Int8LinearTests.randomInput(count: shape.outputs, generator: &generator),
            outputCount: shape.outputs, inputCount: geometry.depth)
        let scales = [Float](repeating: 0.02, count: geometry.pixels)
        let zeroPoints = [Int32](repeating: 77, count: geometry.pixels)
        let rows = ReferenceKernels.convolutionRows(image: image, geometry: geometry)
        var expected = [Float](repeating: .nan, count: geometry.pixels * shape.outputs)
        expected.withUnsafeMutableBufferPointer { output in
            weights.apply(codes: rows, rows: geometry.pixels, rowStride: geometry.depth, scales: scales,
                          zeroPoints: zeroPoints, output: output.baseAddress!)
        }
        for path in CPUPath.available {
            for threads in [1, 2] {
                var actual = [Float](repeating: .nan, count: expected.count)
                try CPUPath.withPath(path) {
                    try actual.withUnsafeMutableBufferPointer { output in
                        try weights.applyConvolution(image: image, geometry: geometry, scales: scales, zeroPoints: zeroPoints,
                                                     output: output.baseAddress!, threadCount: threads)
                    }
                }
                #expect(actual == expected, "\(shape) on \(path), \(threads) threads")
            }
        }
    }

    @Test func geometryAndDepthAreChecked() throws {
        #expect(throws: RuntimeKernelError.self) {
            try Int8ConvolutionGeometry(outputHeight: 2, outputWidth: 2, imageWidth: 4, channels: 0, kernelSize: 3, stride: 1)
        }
        #expect(throws: RuntimeKernelError.self) {
            try Int8ConvolutionGeometry(outputHeight: 2, outputWidth: 3, imageWidth: 4, channels: 4, kernelSize: 3, stride: 1)
        }
        let geometry = try Int8ConvolutionGeometry(outputHeight: 2, outputWidth: 2, imageWidth: 4, channels: 4, kernelSize: 3,
                                                   stride: 1)
        let weights = try Int8LinearWeights(weights: [Int8](repeating: 1, count: 3 * 35), scales: [1, 1, 1],
                                            outputCount: 3, inputCount: 35)
        var output = [Float](repeating: 0, count: 12)
        let image = [UInt8](repeating: 0, count: 64)
        #expect(throws: RuntimeKernelError.countMismatch(name: "convolution window depth", expected: 35, actual: 36)) {
            try output.withUnsafeMutableBufferPointer { output in
                try weights.applyConvolution(image: image, geometry: geometry, scales: [1, 1, 1, 1], zeroPoints: [0, 0, 0, 0],
                                             output: output.baseAddress!)
            }
        }
    }
}
