import ShrinkTensor

/// Per-channel batch normalization of `[batch, channels, height, width]` inputs (PyTorch's
/// `BatchNorm2d`; ONNX `BatchNormalization`), or of `[batch, channels]` and
/// `[batch, channels, length]` inputs (`BatchNorm1d`). Weights: `weight` (γ, ones), `bias` (β, zeros),
/// buffers `running_mean` (zeros) and `running_var` (ones), each `[channels]`.
public struct BatchNormalizationOperator: Operator {
    public static let typeName = "BatchNormalization"
    public static let attributeDeclarations = [
        AttributeDeclaration("channels", .int),
        AttributeDeclaration("epsilon", .float, default: .float(1e-5)),
        AttributeDeclaration("momentum", .float, default: .float(0.1)),
    ]
    public var channels: Int
    public var epsilon: Float
    public var momentum: Float

    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public init(attributes: Attributes) throws(OperatorError) {
        channels = try attributes.int("channels")
        epsilon = try attributes.float("epsilon")
        momentum = try attributes.float("momentum")
        guard channels > 0 else { throw OperatorError("channel count must be positive, got \(channels)") }
        guard epsilon > 0 else { throw OperatorError("epsilon must be positive, got \(epsilon)") }
        guard momentum >= 0, momentum <= 1 else { throw OperatorError("momentum must be in [0, 1], got \(momentum)") }
    }

    public var attributes: Attributes {
        ["channels": .int(channels), "epsilon": .float(epsilon), "momentum": .float(momentum)]
    }

    public var weights: [WeightDeclaration] {
        [
            WeightDeclaration(name: "weight", shape: [channels], role: .normalizationScale),
            WeightDeclaration(name: "bias", shape: [channels], role: .normalizationShift),
            WeightDeclaration(name: "running_mean", shape: [channels], kind: .buffer, role: .statistic),
            WeightDeclaration(name: "running_var", shape: [channels], kind: .buffer, role: .statistic),
        ]
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let expected = "[batch, \(channels)], [batch, \(channels), length] or [batch, \(channels), height, width]"
        let sample = try ShapeChecks.sample(inputShapes[0], expected: expected)
        guard (1...3).contains(sample.count), sample[0] == channels else { throw OperatorError("expects \(expected)") }
        return inputShapes
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplyAccumulates: outputShapes[0].reduce(1, *))
    }

    public var channelCoupling: ChannelCoupling {
        .elementwise(perChannel: ["weight", "bias", "running_mean", "running_var"].map { WeightAxis($0, axis: 0) })
    }

    public func resizingChannels(input: Int, output: Int) -> (any Operator)? {
        BatchNormalizationOperator(channels: output, epsilon: epsilon, momentum: momentum)
    }

    public func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        [Tensor(repeating: 1, shape: [channels]), Tensor(zeros: [channels]), Tensor(zeros: [channels]),
         Tensor(repeating: 1, shape: [channels])]
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(BatchNormalization2D(
            name: name, weight: weights[0], bias: weights[1], runningMean: weights[2], runningVariance: weights[3],
            epsilon: epsilon, momentum: momentum))
    }
}
