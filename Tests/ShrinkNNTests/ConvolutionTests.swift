import ShrinkKernels
import ShrinkTensor
import Testing
@testable import ShrinkNN

@Suite(.serialized) struct ConvolutionTests {
    /// Direct convolution in Double: `[batch, outputChannels, outputHeight, outputWidth]`.
    static func naiveConvolution(_ input: Tensor, _ layer: Convolution2D) -> [Double] {
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let kernel = layer.kernelSize, stride = layer.stride, padding = layer.padding
        let outputHeight = (height + 2 * padding - kernel) / stride + 1
        let outputWidth = (width + 2 * padding - kernel) / stride + 1
        var output: [Double] = []
        for sample in 0..<batch {
            for outputChannel in 0..<layer.outputChannels {
                for outputRow in 0..<outputHeight {
                    for outputColumn in 0..<outputWidth {
                        var sum = Double(layer.bias?.value.scalars[outputChannel] ?? 0)
                        for channel in 0..<channels {
                            for kernelRow in 0..<kernel {
                                for kernelColumn in 0..<kernel {
                                    let row = outputRow * stride - padding + kernelRow
                                    let column = outputColumn * stride - padding + kernelColumn
                                    guard row >= 0, row < height, column >= 0, column < width else { continue }
                                    sum += Double(input[sample, channel, row, column])
                                        * Double(layer.weight.value[outputChannel, channel, kernelRow, kernelColumn])
                                }
                            }
                        }
                        output.append(sum)
                    }
                }
            }
        }
        return output
    }

    @Test(arguments: [
        (kernel: 3, stride: 2, padding: 1, budget: 1 << 18),
        (kernel: 5, stride: 1, padding: 0, budget: 1 << 18),
        (kernel: 3, stride: 1, padding: 1, budget: 1),
        (kernel: 2, stride: 3, padding: 2, budget: 1),
        (kernel: 4, stride: 2, padding: 0, budget: 100),
    ])
    func forwardMatchesDirectConvolution(kernel: Int, stride: Int, padding: Int, budget: Int) {
        var generator = SeededRandomNumberGenerator(seed: 21)
        let layer = Convolution2D(
            name: "conv", inputChannels: 3, outputChannels: 5, kernelSize: kernel, stride: stride,
            padding: padding, generator: &generator)
        layer.columnBudget = budget
        let input = Tensor.randomNormal(shape: [3, 3, 9, 8], using: &generator)
        let output = layer.forward(input, mode: .inference)
        let expected = Self.naiveConvolution(input, layer)
        let outputHeight = (9 + 2 * padding - kernel) / stride + 1
        let outputWidth = (8 + 2 * padding - kernel) / stride + 1
        #expect(output.shape == [3, 5, outputHeight, outputWidth])
        let worst = zip(output.scalars, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst < 1e-5)
    }

    @Test func chunkedAcrossTwoThreadsMatchesOneThread() {
        var generator = SeededRandomNumberGenerator(seed: 22)
        let layer = Convolution2D(
            name: "conv", inputChannels: 2, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1,
            generator: &generator)
        layer.minimumSamplesPerChunk = 1
        layer.columnBudget = 2 * 18 * 36  // two samples per GEMM within a chunk
        let input = Tensor.randomNormal(shape: [7, 2, 6, 6], using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [7, 4, 6, 6], using: &generator)

        func run(threads: Int) -> (output: Tensor, inputGradient: Tensor, weight: Tensor, bias: Tensor) {
            Parallelism.withThreadCount(threads) {
                layer.weight.zeroGradient()
                layer.bias!.zeroGradient()
                let output = layer.forward(input, mode: .training)
                let inputGradient = layer.backward(outputGradient)
                return (output, inputGradient, layer.weight.gradient, layer.bias!.gradient)
            }
        }
        let single = run(threads: 1)
        let chunked = run(threads: 2)
        func close(_ left: Tensor, _ right: Tensor) -> Bool {
            left.shape == right.shape
                && zip(left.scalars, right.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) }
        }
        #expect(close(single.output, chunked.output))
        #expect(close(single.inputGradient, chunked.inputGradient))
        #expect(close(single.weight, chunked.weight))
        #expect(close(single.bias, chunked.bias))
        #expect(single.weight.scalars.contains { $0 != 0 })
    }

    @Test func backwardAddsIntoExistingGradients() {
        var generator = SeededRandomNumberGenerator(seed: 23)
        let layer = Convolution2D(name: "conv", inputChannels: 1, outputChannels: 2, kernelSize: 3, generator: &generator)
        let input = Tensor.randomNormal(shape: [2, 1, 5, 5], using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [2, 2, 3, 3], using: &generator)
        _ = layer.forward(input, mode: .training)
        _ = layer.backward(outputGradient)
        let once = layer.weight.gradient
        _ = layer.backward(outputGradient)
        #expect(zip(layer.weight.gradient.scalars, once.scalars).allSatisfy { abs($0 - 2 * $1) <= 1e-5 * max(1, abs($1)) })
    }
}
