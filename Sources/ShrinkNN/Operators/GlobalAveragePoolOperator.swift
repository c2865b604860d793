import ShrinkTensor

/// The mean of every channel plane (ONNX `GlobalAveragePool`): `[batch, channels, height,
/// width]` → `[batch, channels, 1, 1]`.
public struct GlobalAveragePoolOperator: Operator {
    public static let typeName = "GlobalAveragePool"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(inputShapes[0], rank: 3, expected: "[batch, channels, height, width]")
        return [ValueShape([inputShapes[0][0], .fixed(sample[0]), .fixed(1), .fixed(1)])]
    }

    /// One addition per input element and one scaling per output.
    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplies: outputShapes[0].reduce(1, *), additions: inputShapes[0].reduce(1, *))
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        GlobalAveragePool(name: name)
    }
}
