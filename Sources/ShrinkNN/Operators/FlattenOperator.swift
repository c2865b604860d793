import ShrinkTensor

/// `[batch, d1, d2, …]` → `[batch, d1·d2·…]`, row-major (NCHW flattens channel-major, like
/// PyTorch's `flatten(1)` and ONNX `Flatten` with `axis = 1`, the only axis supported).
public struct FlattenOperator: Operator {
    public static let typeName = "Flatten"
    public static let attributeDeclarations = [AttributeDeclaration("axis", .int, default: .int(1))]

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {
        let axis = try attributes.int("axis")
        guard axis == 1 else { throw OperatorError("only axis 1 (keep the batch) is supported, got \(axis)") }
    }
    public var attributes: Attributes { ["axis": .int(1)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(inputShapes[0], expected: "a batched input with fixed per-sample sizes")
        return [ValueShape([inputShapes[0][0], .fixed(sample.reduce(1, *))])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public var channelCoupling: ChannelCoupling { .flattening }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(Flatten(name: name))
    }
}
