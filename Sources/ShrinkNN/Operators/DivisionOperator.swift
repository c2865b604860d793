/// The element-wise quotient `a / b` of two inputs (ONNX `Div` on floats), broadcasting as
/// `Add` does (`Broadcasting`). Division by zero follows IEEE 754 (±inf, or nan for 0/0); it
/// never traps. With `constant` = 1 the node reads one input `x` and computes `x / c`, or
/// `c / x` with `constant_first` = 1, for a constant `c` it owns (`ConstantOperand`; it starts
/// at 1).
public struct DivisionOperator: ElementwiseArithmetic {
    public static let typeName = "Div"
    public static let isOrdered = true
    public static let neutralConstant: Float = 1

    public var constant: ConstantOperand?

    public init(constant: ConstantOperand? = nil) {
        self.constant = constant
    }

    /// One division per output element (counted with the transcendentals, as softmax's are).
    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(transcendentals: outputShapes[0].reduce(1, *))
    }

    public func makeOperandKernel(name: String) -> any OperatorKernel {
        BinaryArithmeticKernel(name: name, arithmetic: .divide)
    }
}
