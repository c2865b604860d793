import Foundation

/// `x · sigmoid(x)` (SiLU, also called Swish; PyTorch's `SiLU`, EfficientNet's activation). The
/// derivative is `s + x · s · (1 − s)` with `s = sigmoid(x)`.
public struct SiLUOperator: ElementwiseActivation {
    public static let typeName = "SiLU"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func value(_ input: Float) -> Float { input * SigmoidOperator().value(input) }

    public func derivative(input: Float, output: Float) -> Float {
        let sigmoid = SigmoidOperator().value(input)
        return sigmoid + input * sigmoid * (1 - sigmoid)
    }

    /// The sigmoid (an exponential and a division), one addition and one multiplication.
    public var operationsPerElement: OperationCount { OperationCount(multiplies: 1, additions: 1, transcendentals: 2) }
}
