import ShrinkTensor

/// The operation of a two-operand element-wise op.
enum BinaryArithmetic: Sendable {
    /// `a − b`: `∂a = ∂y`, `∂b = −∂y`.
    case subtract
    /// `a · b`: `∂a = ∂y · b`, `∂b = ∂y · a`.
    case multiply
    /// `a / b` (IEEE: a zero divisor gives ±inf or nan, no trap): `∂a = ∂y / b`,
    /// `∂b = −∂y · a / b²`.
    case divide

    /// The op's type name, for messages.
    var typeName: String {
        switch self {
        case .subtract: SubtractionOperator.typeName
        case .multiply: MultiplicationOperator.typeName
        case .divide: DivisionOperator.typeName
        }
    }
}

/// Runs `Sub`, `Mul` and `Div` on two operands broadcast as `Broadcasting` describes; each
/// operand's gradient is summed over the axes it was broadcast along.
final class BinaryArithmeticKernel: OperatorKernel {
    let name: String
    let arithmetic: BinaryArithmetic
    /// The operands of the last training forward pass.
    private var cachedInputs: [Tensor]?

    init(name: String, arithmetic: BinaryArithmetic) {
        self.name = name
        self.arithmetic = arithmetic
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let shapes = inputs.map(\.shape)
        guard let outputShape = Broadcasting.outputShape(concrete: shapes) else {
            preconditionFailure("\(arithmetic.typeName) '\(name)': input shapes \(shapes) do not broadcast")
        }
        cachedInputs = mode == .training ? inputs : nil
        let plan = BroadcastPlan(outputShape: outputShape, operandShapes: shapes)
        let scalars: [Float]
        switch arithmetic {
        case .subtract: scalars = Self.combine(inputs[0], inputs[1], plan: plan, count: Tensor.elementCount(of: outputShape)) { $0 - $1 }
        case .multiply: scalars = Self.combine(inputs[0], inputs[1], plan: plan, count: Tensor.elementCount(of: outputShape)) { $0 * $1 }
        case .divide: scalars = Self.combine(inputs[0], inputs[1], plan: plan, count: Tensor.elementCount(of: outputShape)) { $0 / $1 }
        }
        return [Tensor(shape: outputShape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let inputs = cachedInputs else {
            preconditionFailure("\(arithmetic.typeName) '\(name)': backward without a training forward pass")
        }
        let gradient = outputGradients[0]
        let plan = BroadcastPlan(outputShape: gradient.shape, operandShapes: inputs.map(\.shape))
        return (0..<2).map { operand -> Tensor? in
            guard needsInputGradients[operand] else { return nil }
            let shape = inputs[operand].shape
            switch (arithmetic, operand) {
            case (.subtract, 0): return shape == gradient.shape ? gradient : AdditionKernel.reduce(gradient, to: shape)
            case (.subtract, _): return Self.accumulate(gradient, inputs, into: operand, plan: plan) { dy, _, _ in -dy }
            case (.multiply, 0): return Self.accumulate(gradient, inputs, into: operand, plan: plan) { dy, _, b in dy * b }
            case (.multiply, _): return Self.accumulate(gradient, inputs, into: operand, plan: plan) { dy, a, _ in dy * a }
            case (.divide, 0): return Self.accumulate(gradient, inputs, into: operand, plan: plan) { dy, _, b in dy / b }
            case (.divide, _): return Self.accumulate(gradient, inputs, into: operand, plan: plan) { dy, a, b in -dy * a / (b * b) }
            }
        }
    }

    /// `body(a, b)` for every output element, operands broadcast by `plan`.
    @inline(__always)
    private static func combine(_ left: Tensor, _ right: Tensor, plan: BroadcastPlan, count: Int,
                                _ body: (Float, Float) -> Float) -> [Float] {
        let rowLength = plan.rowLength, leftStride = plan.rowStrides[0], rightStride = plan.rowStrides[1]
        return [Float].uninitialized(count: count) { output in
            left.withUnsafeBufferPointer { leftValues in
                right.withUnsafeBufferPointer { rightValues in
                    plan.forEachRow { outputOffset, operandOffsets in
                        let target = output + outputOffset
                        let leftRow = leftValues.baseAddress! + operandOffsets[0]
                        let rightRow = rightValues.baseAddress! + operandOffsets[1]
                        for index in 0..<rowLength { target[index] = body(leftRow[index * leftStride], rightRow[index * rightStride]) }
                    }
                }
            }
        }
    }

    /// The gradient of operand `operand`: `term(∂y, a, b)` summed into the operand's element
    /// that each output element read.
    @inline(__always)
    private static func accumulate(_ gradient: Tensor, _ inputs: [Tensor], into operand: Int, plan: BroadcastPlan,
                                   _ term: (Float, Float, Float) -> Float) -> Tensor {
        let rowLength = plan.rowLength, strides = plan.rowStrides
        let leftStride = strides[0], rightStride = strides[1], targetStride = strides[operand]
        var result = Tensor(zeros: inputs[operand].shape)
        result.withUnsafeMutableBufferPointer { target in
            gradient.withUnsafeBufferPointer { dy in
                inputs[0].withUnsafeBufferPointer { left in
                    inputs[1].withUnsafeBufferPointer { right in
                        plan.forEachRow { outputOffset, operandOffsets in
                            let gradientRow = dy.baseAddress! + outputOffset
                            let leftRow = left.baseAddress! + operandOffsets[0], rightRow = right.baseAddress! + operandOffsets[1]
                            let targetRow = target.baseAddress! + operandOffsets[operand]
                            for index in 0..<rowLength {
                                targetRow[index * targetStride] += term(gradientRow[index], leftRow[index * leftStride],
                                                                        rightRow[index * rightStride])
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
