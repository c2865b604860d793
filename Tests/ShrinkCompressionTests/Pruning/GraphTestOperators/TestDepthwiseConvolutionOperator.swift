import ShrinkNN
import ShrinkTensor

/// Test-only depthwise convolution (multiplier 1, stride 1, no padding) of
/// `[batch, channels, height, width]` (stands in for the grouped convolution written on another
/// branch). Weights: `weight` `[channels, 1, kernel, kernel]`, `bias` `[channels]`; coupling
/// `.elementwise` slicing both on axis 0.
struct TestDepthwiseConvolutionOperator: Operator {
    static let typeName = "TestDepthwiseConv2D"
    static let attributeDeclarations = [AttributeDeclaration("channels", .int), AttributeDeclaration("kernel", .int)]
    var channels: Int
    var kernel: Int

    init(channels: Int, kernel: Int) {
        self.channels = channels
        self.kernel = kernel
    }

    init(attributes: Attributes) throws(OperatorError) {
        channels = try attributes.int("channels")
        kernel = try attributes.int("kernel")
        guard channels > 0, kernel > 0 else { throw OperatorError("channels and kernel must be positive") }
    }

    var attributes: Attributes { ["channels": .int(channels), "kernel": .int(kernel)] }

    var weights: [WeightDeclaration] {
        [WeightDeclaration(name: "weight", shape: [channels, 1, kernel, kernel], role: .matrix),
         WeightDeclaration(name: "bias", shape: [channels], role: .bias)]
    }

    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        guard let sample = inputShapes[0].sampleShape, sample.count == 3, sample[0] == channels,
              sample[1] >= kernel, sample[2] >= kernel else {
            throw OperatorError("expects [batch, \(channels), ≥\(kernel), ≥\(kernel)]")
        }
        return [ValueShape([inputShapes[0][0], .fixed(channels), .fixed(sample[1] - kernel + 1), .fixed(sample[2] - kernel + 1)])]
    }

    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplyAccumulates: outputShapes[0].reduce(1, *) * kernel * kernel)
    }

    var channelCoupling: ChannelCoupling {
        .elementwise(perChannel: [WeightAxis("weight", axis: 0), WeightAxis("bias", axis: 0)])
    }

    func resizingChannels(input: Int, output: Int) -> (any Operator)? {
        input == output ? TestDepthwiseConvolutionOperator(channels: output, kernel: kernel) : nil
    }

    func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        [Tensor(shape: [channels, 1, kernel, kernel], scalars: (0..<channels * kernel * kernel).map { _ in generator.nextUniform() - 0.5 }),
         Tensor(zeros: [channels])]
    }

    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TestDepthwiseKernel(weight: weights[0], bias: weights[1], kernel: kernel)
    }
}

private final class TestDepthwiseKernel: OperatorKernel {
    let weight: Parameter
    let bias: Parameter
    let kernel: Int
    private var input: Tensor?

    init(weight: Parameter, bias: Parameter, kernel: Int) {
        self.weight = weight
        self.bias = bias
        self.kernel = kernel
    }

    /// Calls `body(outputIndex, inputIndex, weightIndex, channel)` for every term of the sum.
    private func forEachTerm(inputShape shape: [Int], _ body: (Int, Int, Int, Int) -> Void) {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let outputHeight = height - kernel + 1, outputWidth = width - kernel + 1
        for sample in 0..<batch {
            for channel in 0..<channels {
                for row in 0..<outputHeight {
                    for column in 0..<outputWidth {
                        let output = ((sample * channels + channel) * outputHeight + row) * outputWidth + column
                        for kernelRow in 0..<kernel {
                            for kernelColumn in 0..<kernel {
                                let input = ((sample * channels + channel) * height + row + kernelRow) * width + column + kernelColumn
                                body(output, input, (channel * kernel + kernelRow) * kernel + kernelColumn, channel)
                            }
                        }
                    }
                }
            }
        }
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        if mode == .training { self.input = input }
        let shape = [input.shape[0], input.shape[1], input.shape[2] - kernel + 1, input.shape[3] - kernel + 1]
        var output = Tensor(zeros: shape)
        let planeSize = shape[2] * shape[3]
        for index in 0..<output.count { output.scalars[index] = bias.value.scalars[(index / planeSize) % shape[1]] }
        forEachTerm(inputShape: input.shape) { outputIndex, inputIndex, weightIndex, _ in
            output.scalars[outputIndex] += input.scalars[inputIndex] * weight.value.scalars[weightIndex]
        }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let input else { preconditionFailure("backward without a training forward") }
        let gradient = outputGradients[0]
        var inputGradient = Tensor(zeros: input.shape)
        forEachTerm(inputShape: input.shape) { outputIndex, inputIndex, weightIndex, channel in
            let upstream = gradient.scalars[outputIndex]
            inputGradient.scalars[inputIndex] += upstream * weight.value.scalars[weightIndex]
            weight.gradient.scalars[weightIndex] += upstream * input.scalars[inputIndex]
        }
        let planeSize = gradient.shape[2] * gradient.shape[3]
        for index in 0..<gradient.count { bias.gradient.scalars[(index / planeSize) % gradient.shape[1]] += gradient.scalars[index] }
        return [needsInputGradients[0] ? inputGradient : nil]
    }
}
