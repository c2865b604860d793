/// The element-wise product of two inputs (ONNX `Mul`), broadcasting as `Add` does
/// (`Broadcasting`): equal shapes, or size-1 axes such as a `[batch, C, 1, 1]` gate scaling a
/// `[batch, C, H, W]` map (squeeze-and-excitation) or a `[batch, 1, H, W]` spatial mask. With
/// `constant` = 1 the node reads one input and multiplies it by a constant it owns
/// (`ConstantOperand`; the constant starts at 1).
public struct MultiplicationOperator: ElementwiseArithmetic {
    public static let typeName = "Mul"
    public static let isOrdered = false
    public static let neutralConstant: Float = 1

    public var constant: ConstantOperand?

    public init(constant: ConstantOperand? = nil) {
        self.constant = constant
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplies: outputShapes[0].reduce(1, *))
    }

    public func makeOperandKernel(name: String) -> any OperatorKernel {
        BinaryArithmeticKernel(name: name, arithmetic: .multiply)
    }
}
