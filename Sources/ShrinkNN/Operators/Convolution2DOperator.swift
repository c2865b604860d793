import ShrinkTensor

/// 2-D convolution (cross-correlation, PyTorch's `Conv2d`, ONNX `Conv`) of
/// `[batch, input_channels, height, width]` into `[batch, output_channels, outH, outW]`, with
/// rectangular kernels, a stride and dilation per axis, asymmetric pads `[top, left, bottom,
/// right]` and channel groups (depthwise when `groups = input_channels`, with any channel
/// multiplier `output_channels / input_channels`).
/// Weights: `weight` `[output_channels, input_channels / groups, kernelH, kernelW]`, `bias`
/// `[output_channels]` when `bias = 1`.
public struct Convolution2DOperator: Operator {
    public static let typeName = "Conv2D"
    public static let attributeDeclarations = [
        AttributeDeclaration("input_channels", .int),
        AttributeDeclaration("output_channels", .int),
        AttributeDeclaration("groups", .int, default: .int(1)),
        AttributeDeclaration("bias", .int, default: .int(1)),
    ] + WindowGeometry.declarations(dilations: true)

    public var inputChannels: Int
    public var outputChannels: Int
    public var window: WindowGeometry
    public var groups: Int
    public var hasBias: Bool

    public init(inputChannels: Int, outputChannels: Int, window: WindowGeometry, groups: Int = 1, hasBias: Bool = true) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.window = window
        self.groups = groups
        self.hasBias = hasBias
    }

    public init(attributes: Attributes) throws(OperatorError) {
        inputChannels = try attributes.int("input_channels")
        outputChannels = try attributes.int("output_channels")
        groups = try attributes.int("groups")
        hasBias = try attributes.bool("bias")
        window = try WindowGeometry(attributes: attributes, dilations: true)
        guard inputChannels > 0, outputChannels > 0 else {
            throw OperatorError("channel counts must be positive, got \(inputChannels)→\(outputChannels)")
        }
        guard groups > 0, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw OperatorError("groups \(groups) must divide both channel counts \(inputChannels) and \(outputChannels)")
        }
    }

    public var attributes: Attributes {
        var result = window.attributes(dilations: true)
        result["input_channels"] = .int(inputChannels)
        result["output_channels"] = .int(outputChannels)
        result["groups"] = .int(groups)
        result["bias"] = .int(hasBias ? 1 : 0)
        return result
    }

    /// `[output_channels, input_channels / groups, kernelH, kernelW]`.
    public var weightShape: [Int] { [outputChannels, inputChannels / groups, window.kernel[0], window.kernel[1]] }

    public var weights: [WeightDeclaration] {
        [WeightDeclaration(name: "weight", shape: weightShape, role: .matrix)]
            + (hasBias ? [WeightDeclaration(name: "bias", shape: [outputChannels], role: .bias)] : [])
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let expected = "[batch, \(inputChannels), height, width]"
        let sample = try ShapeChecks.sample(inputShapes[0], rank: 3, expected: expected)
        guard sample[0] == inputChannels else { throw OperatorError("expects \(expected)") }
        guard let output = window.outputSize(height: sample[1], width: sample[2]) else {
            throw OperatorError(window.misfit("kernel", height: sample[1], width: sample[2]))
        }
        return [ValueShape([inputShapes[0][0], .fixed(outputChannels), .fixed(output.height), .fixed(output.width)])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let outputs = outputShapes[0].reduce(1, *)
        let perOutput = inputChannels / groups * window.kernel[0] * window.kernel[1]
        return OperationCount(multiplyAccumulates: outputs * perOutput, additions: hasBias ? outputs : 0)
    }

    /// Whether each input channel is its own group (`groups = input_channels > 1`).
    public var isDepthwise: Bool { groups > 1 && groups == inputChannels }

    /// Dense convolutions produce new channels; depthwise ones with one output channel per
    /// input channel carry channels through (their weight and bias rows go with them); other
    /// grouped convolutions tie channels in ways pruning does not follow.
    public var channelCoupling: ChannelCoupling {
        let outputAxes = [WeightAxis("weight", axis: 0)] + (hasBias ? [WeightAxis("bias", axis: 0)] : [])
        if groups == 1 {
            return .producer(outputs: outputAxes, inputs: [WeightAxis("weight", axis: 1)], groups: 1)
        }
        if isDepthwise && outputChannels == inputChannels {
            return .elementwise(perChannel: outputAxes)
        }
        return .opaque
    }

    public func resizingChannels(input: Int, output: Int) -> (any Operator)? {
        if groups == 1 {
            return Convolution2DOperator(inputChannels: input, outputChannels: output, window: window, groups: 1, hasBias: hasBias)
        }
        if isDepthwise && outputChannels == inputChannels {
            return Convolution2DOperator(inputChannels: output, outputChannels: output, window: window, groups: output, hasBias: hasBias)
        }
        return nil
    }

    public func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        let initial = Initialization.kaimingUniform(
            weightShape: weightShape, fanIn: inputChannels / groups * window.kernel[0] * window.kernel[1],
            hasBias: hasBias, biasCount: outputChannels, generator: &generator)
        return [initial.weight] + (initial.bias.map { [$0] } ?? [])
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(Convolution2D(name: name, weight: weights[0], bias: hasBias ? weights[1] : nil,
                                        window: window, groups: groups))
    }
}
