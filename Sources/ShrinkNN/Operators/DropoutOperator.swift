import ShrinkTensor

/// Inverted dropout: in training zeroes each element with probability `rate` and scales the
/// rest by `1 / (1 − rate)`; the identity in inference. The node's generator is seeded from
/// the network's when the network is built.
public struct DropoutOperator: Operator {
    public static let typeName = "Dropout"
    public static let attributeDeclarations = [AttributeDeclaration("rate", .float, default: .float(0.5))]
    public var rate: Float

    public init(rate: Float) {
        self.rate = rate
    }

    public init(attributes: Attributes) throws(OperatorError) {
        rate = try attributes.float("rate")
        guard rate >= 0, rate < 1 else { throw OperatorError("dropout rate must be in [0, 1), got \(rate)") }
    }
    public var attributes: Attributes { ["rate": .float(rate)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { inputShapes }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(Dropout(name: name, rate: rate, seed: generator.next()))
    }
}
