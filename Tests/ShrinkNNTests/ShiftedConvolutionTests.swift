import ShrinkKernels
import ShrinkTensor
import Testing
@testable import ShrinkNN

/// `ShiftedConvolution` (a GEMM per kernel tap over a padded grid) against im2col + GEMM.
@Suite struct ShiftedConvolutionTests {
    @Test func suitsOnlyUngroupedStrideOneWindowsOnADenseGrid() {
        func suits(_ size: Int, _ window: WindowGeometry, groups: Int = 1, channels: Int = 4) -> Bool {
            ShiftedConvolution.suits(ConvolutionGeometry(channels: channels, height: size, width: size, window: window, groups: groups))
        }
        #expect(suits(32, WindowGeometry(square: 3, stride: 1, padding: 1)))   // 1024 of 1156 valid
        #expect(suits(16, WindowGeometry(square: 3, stride: 1, padding: 1)))   // 256 of 324
        #expect(!suits(8, WindowGeometry(square: 3, stride: 1, padding: 1)))   // 64 of 100
        #expect(!suits(32, WindowGeometry(square: 3, stride: 2, padding: 1)))
        #expect(!suits(32, WindowGeometry(kernel: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2])))
        #expect(!suits(32, WindowGeometry(square: 3, stride: 1, padding: 1), groups: 2))
        #expect(!suits(32, WindowGeometry(square: 1)))
    }

    @Test(arguments: [
        (channels: 3, outputs: 5, size: 16, window: WindowGeometry(square: 3, stride: 1, padding: 1), budget: 1 << 18),
        (channels: 2, outputs: 4, size: 12, window: WindowGeometry(kernel: [3, 2], pads: [1, 0, 1, 1]), budget: 1),
        (channels: 4, outputs: 3, size: 28, window: WindowGeometry(square: 5, stride: 1, padding: 2), budget: 3000),
        (channels: 1, outputs: 2, size: 9, window: WindowGeometry(kernel: [1, 3], pads: [0, 1, 0, 1]), budget: 200),
    ])
    func matchesLoweredForwardAndBackward(channels: Int, outputs: Int, size: Int, window: WindowGeometry, budget: Int) {
        var generator = SeededRandomNumberGenerator(seed: 31)
        let shifted = Convolution2D(name: "conv", inputChannels: channels, outputChannels: outputs, window: window,
                                    generator: &generator)
        let lowered = Convolution2D(name: "conv", weight: Parameter(name: "conv.weight", value: shifted.weight.value),
                                    bias: Parameter(name: "conv.bias", value: shifted.bias!.value), window: window)
        lowered.usesShiftedProducts = false
        for layer in [shifted, lowered] {
            layer.columnBudget = budget
            layer.minimumSamplesPerChunk = 2
        }
        let input = Tensor.randomNormal(shape: [5, channels, size, size], using: &generator)
        #expect(ShiftedConvolution.suits(ConvolutionGeometry(channels: channels, height: size, width: size, window: window)))

        let output = shifted.forward(input, mode: .training)
        let expected = lowered.forward(input, mode: .training)
        #expect(output.shape == expected.shape)
        #expect(Self.worstDifference(output, expected) <= 1e-5)

        let outputGradient = Tensor.randomNormal(shape: output.shape, using: &generator)
        let inputGradient = shifted.backward(outputGradient)
        let expectedInputGradient = lowered.backward(outputGradient)
        #expect(Self.worstDifference(inputGradient, expectedInputGradient) <= 1e-5)
        #expect(Self.worstDifference(shifted.weight.gradient, lowered.weight.gradient) <= 1e-4)
        #expect(Self.worstDifference(shifted.bias!.gradient, lowered.bias!.gradient) <= 1e-4)
        #expect(shifted.weight.gradient.scalars.contains { $0 != 0 })
    }

    /// The C tap sum against its Swift twin on every CPU path of this machine: outputs not a
    /// multiple of the 8-row block, widths not a multiple of the 48-column block, negative offsets.
    @Test(arguments: CPUPath.available)
    func tapSumMatchesReference(path: CPUPath) {
        var generator = SeededRandomNumberGenerator(seed: 33)
        for (outputs, channels, width, offsets) in [(11, 3, 101, [0, 1, 2, 12, 13, 14]), (8, 5, 48, [3, -2, 0]),
                                                   (3, 2, 7, [-7, 0, 7])] {
            let lead = 7, stride = lead + width + 20
            let input = (0..<(channels * stride)).map { _ in Float.random(in: -1...1, using: &generator) }
            let weights = (0..<(offsets.count * outputs * channels)).map { _ in Float.random(in: -1...1, using: &generator) }
            var fast = [Float](repeating: .nan, count: outputs * (width + 3)), reference = fast
            input.withUnsafeBufferPointer { input in
                weights.withUnsafeBufferPointer { weights in
                    CPUPath.withPath(path) {
                        fast.withUnsafeMutableBufferPointer {
                            ShiftedConvolution.tapSum(
                                outputs: outputs, channels: channels, offsets: offsets, weights: weights.baseAddress!,
                                input: input.baseAddress! + lead, inputStride: stride, width: width,
                                output: $0.baseAddress!, outputStride: width + 3)
                        }
                    }
                    reference.withUnsafeMutableBufferPointer {
                        ShiftedConvolution.tapSumReference(
                            outputs: outputs, channels: channels, offsets: offsets, weights: weights.baseAddress!,
                            input: input.baseAddress! + lead, inputStride: stride, width: width,
                            output: $0.baseAddress!, outputStride: width + 3)
                    }
                }
            }
            for row in 0..<outputs {
                for position in 0..<(width + 3) {
                    let index = row * (width + 3) + position
                    if position < width {
                        #expect(abs(fast[index] - reference[index]) <= 1e-5 * max(1, abs(reference[index])))
                    } else {
                        #expect(fast[index].isNaN, "wrote past the row's width")
                    }
                }
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        var generator = SeededRandomNumberGenerator(seed: 32)
        let layer = Convolution2D(name: "conv", inputChannels: 2, outputChannels: 2,
                                  window: WindowGeometry(kernel: [1, 3], pads: [0, 1, 0, 1]), generator: &generator)
        #expect(ShiftedConvolution.suits(ConvolutionGeometry(channels: 2, height: 6, width: 8, window: layer.window)))
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [2, 2, 6, 8], using: &generator))
    }

    /// The largest absolute difference relative to max(1, |expected|).
    static func worstDifference(_ tensor: Tensor, _ expected: Tensor) -> Float {
        zip(tensor.scalars, expected.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
    }
}
