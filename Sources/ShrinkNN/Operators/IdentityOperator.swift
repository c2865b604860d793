import ShrinkTensor

/// Returns its input unchanged (ONNX `Identity`); the gradient passes through.
public struct IdentityOperator: Operator {
    public static let typeName = "Identity"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { inputShapes }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        IdentityKernel()
    }
}

/// Runs `Identity`: the input and the output gradient pass through, storage shared.
final class IdentityKernel: OperatorKernel {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] { inputs }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        [needsInputGradients[0] ? outputGradients[0] : nil]
    }
}
