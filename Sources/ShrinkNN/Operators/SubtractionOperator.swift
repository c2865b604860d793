/// The element-wise difference `a − b` of two inputs (ONNX `Sub`), broadcasting as `Add` does
/// (`Broadcasting`). With `constant` = 1 the node reads one input `x` and computes `x − c`, or
/// `c − x` with `constant_first` = 1, for a constant `c` it owns (`ConstantOperand`; it starts
/// at 0).
public struct SubtractionOperator: ElementwiseArithmetic {
    public static let typeName = "Sub"
    public static let isOrdered = true
    public static let neutralConstant: Float = 0

    public var constant: ConstantOperand?

    public init(constant: ConstantOperand? = nil) {
        self.constant = constant
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(additions: outputShapes[0].reduce(1, *))
    }

    public func makeOperandKernel(name: String) -> any OperatorKernel {
        BinaryArithmeticKernel(name: name, arithmetic: .subtract)
    }
}
