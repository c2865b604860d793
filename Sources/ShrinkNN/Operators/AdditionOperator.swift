import ShrinkTensor

/// The element-wise sum of two or more inputs (ONNX `Add`, extended to any number of operands
/// like `Sum`): a residual connection. Inputs have equal ranks and broadcast NumPy-style
/// (`Broadcasting`: equal sizes, or 1 on any axis, such as a `[batch, C, 1, 1]`,
/// `[1, C, H, W]` or `[batch, 1, H, W]` operand). With `constant` = 1 the node reads one input
/// and adds a constant it owns (`ConstantOperand`; the constant starts at 0).
public struct AdditionOperator: ElementwiseArithmetic {
    public static let typeName = "Add"
    public static let isOrdered = false
    public static let neutralConstant: Float = 0

    public var constant: ConstantOperand?

    public init(constant: ConstantOperand? = nil) {
        self.constant = constant
    }

    /// Two or more activations, or one with a constant.
    public var inputCount: ClosedRange<Int> { constant == nil ? 2...Int.max : 1...1 }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let operands = inputShapes.count + (constant == nil ? 0 : 1)
        return OperationCount(additions: (operands - 1) * outputShapes[0].reduce(1, *))
    }

    public func makeOperandKernel(name: String) -> any OperatorKernel {
        AdditionKernel(name: name)
    }
}

/// Runs `Add`: sums the operands, and passes the output gradient back to each, summed over the
/// axes the operand was broadcast along.
final class AdditionKernel: OperatorKernel {
    let name: String
    /// The input shapes of the last training forward pass.
    private var cachedInputShapes: [[Int]]?

    init(name: String) {
        self.name = name
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let shapes = inputs.map(\.shape)
        guard let outputShape = Broadcasting.outputShape(concrete: shapes) else {
            preconditionFailure("Add '\(name)': input shapes \(shapes) do not broadcast")
        }
        cachedInputShapes = mode == .training ? shapes : nil
        if shapes.allSatisfy({ $0 == outputShape }) {
            var sum = inputs[0]
            let count = sum.count
            sum.withUnsafeMutableBufferPointer { target in
                for operand in inputs.dropFirst() {
                    operand.withUnsafeBufferPointer { source in
                        VectorLoops.add(source.baseAddress!, to: target.baseAddress!, count: count)
                    }
                }
            }
            return [sum]
        }
        let plan = BroadcastPlan(outputShape: outputShape, operandShapes: shapes)
        let rowLength = plan.rowLength, rowStrides = plan.rowStrides
        var output = Tensor(zeros: outputShape)
        output.withUnsafeMutableBufferPointer { target in
            for (operand, input) in inputs.enumerated() {
                let stride = rowStrides[operand]
                input.withUnsafeBufferPointer { source in
                    plan.forEachRow { outputOffset, operandOffsets in
                        let row = target.baseAddress! + outputOffset, operandRow = source.baseAddress! + operandOffsets[operand]
                        for index in 0..<rowLength { row[index] += operandRow[index * stride] }
                    }
                }
            }
        }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shapes = cachedInputShapes else { preconditionFailure("Add '\(name)': backward without a training forward pass") }
        let gradient = outputGradients[0]
        return zip(shapes, needsInputGradients).map { shape, needed -> Tensor? in
            guard needed else { return nil }
            return shape == gradient.shape ? gradient : Self.reduce(gradient, to: shape)
        }
    }

    /// `gradient` summed over the axes where an operand of `shape` was broadcast.
    static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        let plan = BroadcastPlan(outputShape: gradient.shape, operandShapes: [shape])
        let rowLength = plan.rowLength, stride = plan.rowStrides[0]
        var result = Tensor(zeros: shape)
        result.withUnsafeMutableBufferPointer { target in
            gradient.withUnsafeBufferPointer { source in
                plan.forEachRow { outputOffset, operandOffsets in
                    let row = source.baseAddress! + outputOffset, operandRow = target.baseAddress! + operandOffsets[0]
                    for index in 0..<rowLength { operandRow[index * stride] += row[index] }
                }
            }
        }
        return result
    }
}
