import ShrinkTensor

/// Runs an element-wise arithmetic node with a constant operand: the constant, padded with
/// leading 1s to the input's rank, joins the input as a second operand of `base` (first for
/// `constant_first`). Backward adds the constant's gradient (the output gradient reduced over
/// the broadcast axes) into the constant's `Parameter`.
final class ConstantOperandKernel: OperatorKernel {
    let name: String
    let base: any OperatorKernel
    let constant: Parameter
    let isFirst: Bool

    init(name: String, base: any OperatorKernel, constant: Parameter, isFirst: Bool) {
        self.name = name
        self.base = base
        self.constant = constant
        self.isFirst = isFirst
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        let shape = constant.value.shape
        precondition(shape.count <= input.rank, "'\(name)': constant \(shape) has a higher rank than the input \(input.shape)")
        let operand = constant.value.reshaped([Int](repeating: 1, count: input.rank - shape.count) + shape)
        return base.forward(isFirst ? [operand, input] : [input, operand], mode: mode)
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        let needsConstant = constant.kind == .trainable
        let gradients = base.backward(outputGradients, needsInputGradients: isFirst ? [needsConstant, needsInputGradients[0]]
                                                                                   : [needsInputGradients[0], needsConstant])
        let (constantGradient, inputGradient) = isFirst ? (gradients[0], gradients[1]) : (gradients[1], gradients[0])
        if needsConstant, let constantGradient {
            constantGradient.withUnsafeBufferPointer { source in
                constant.gradient.withUnsafeMutableBufferPointer { target in
                    for index in 0..<target.count { target[index] += source[index] }
                }
            }
        }
        return [inputGradient]
    }
}
