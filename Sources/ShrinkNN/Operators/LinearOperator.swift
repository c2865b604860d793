import ShrinkTensor

/// `y = x · Wᵀ + b` (ONNX `Gemm` with `transB = 1`): input `[batch, input_features]`, output
/// `[batch, output_features]`. Weights: `weight` `[output_features, input_features]` (PyTorch
/// layout), `bias` `[output_features]` when `bias = 1`.
public struct LinearOperator: Operator {
    public static let typeName = "Linear"
    public static let attributeDeclarations = [
        AttributeDeclaration("input_features", .int),
        AttributeDeclaration("output_features", .int),
        AttributeDeclaration("bias", .int, default: .int(1)),
    ]
    public var inputFeatures: Int
    public var outputFeatures: Int
    public var hasBias: Bool

    public init(inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true) {
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        self.hasBias = hasBias
    }

    public init(attributes: Attributes) throws(OperatorError) {
        inputFeatures = try attributes.int("input_features")
        outputFeatures = try attributes.int("output_features")
        hasBias = try attributes.bool("bias")
        guard inputFeatures > 0, outputFeatures > 0 else {
            throw OperatorError("feature counts must be positive, got \(inputFeatures)→\(outputFeatures)")
        }
    }

    public var attributes: Attributes {
        ["input_features": .int(inputFeatures), "output_features": .int(outputFeatures), "bias": .int(hasBias ? 1 : 0)]
    }

    public var weights: [WeightDeclaration] {
        [WeightDeclaration(name: "weight", shape: [outputFeatures, inputFeatures], role: .matrix)]
            + (hasBias ? [WeightDeclaration(name: "bias", shape: [outputFeatures], role: .bias)] : [])
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(inputShapes[0], rank: 1, expected: "[batch, \(inputFeatures)]")
        guard sample[0] == inputFeatures else { throw OperatorError("expects [batch, \(inputFeatures)]") }
        return [ValueShape([inputShapes[0][0], .fixed(outputFeatures)])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let rows = inputShapes[0].first ?? 1
        return OperationCount(multiplyAccumulates: rows * inputFeatures * outputFeatures,
                              additions: hasBias ? rows * outputFeatures : 0)
    }

    public var channelCoupling: ChannelCoupling {
        .producer(outputs: [WeightAxis("weight", axis: 0)] + (hasBias ? [WeightAxis("bias", axis: 0)] : []),
                  inputs: [WeightAxis("weight", axis: 1)], groups: 1)
    }

    public func resizingChannels(input: Int, output: Int) -> (any Operator)? {
        LinearOperator(inputFeatures: input, outputFeatures: output, hasBias: hasBias)
    }

    public func initialWeights(generator: inout SeededRandomNumberGenerator) -> [Tensor] {
        let initial = Initialization.kaimingUniform(
            weightShape: [outputFeatures, inputFeatures], fanIn: inputFeatures, hasBias: hasBias,
            biasCount: outputFeatures, generator: &generator)
        return [initial.weight] + (initial.bias.map { [$0] } ?? [])
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(Linear(name: name, weight: weights[0], bias: hasBias ? weights[1] : nil))
    }
}
