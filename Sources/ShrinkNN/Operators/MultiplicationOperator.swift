import ShrinkTensor

/// The element-wise product of two inputs (ONNX `Mul`), broadcasting as `Add` does
/// (`Broadcasting`): equal shapes, or size-1 axes such as a `[batch, C, 1, 1]` gate scaling a
/// `[batch, C, H, W]` map (squeeze-and-excitation); never the channel axis.
public struct MultiplicationOperator: Operator {
    public static let typeName = "Mul"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public var inputCount: ClosedRange<Int> { 2...2 }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        [try Broadcasting.outputShape(inputShapes)]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplies: outputShapes[0].reduce(1, *))
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        MultiplicationKernel(name: name)
    }
}

/// Runs `Mul`: `y = a ⊙ b`; `∂a = Σ_broadcast ∂y ⊙ b`, `∂b = Σ_broadcast ∂y ⊙ a`.
final class MultiplicationKernel: OperatorKernel {
    let name: String
    /// The operands of the last training forward pass.
    private var cachedInputs: [Tensor]?

    init(name: String) {
        self.name = name
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let shapes = inputs.map(\.shape)
        guard let outputShape = Broadcasting.outputShape(concrete: shapes) else {
            preconditionFailure("Mul '\(name)': input shapes \(shapes) do not broadcast")
        }
        cachedInputs = mode == .training ? inputs : nil
        let plan = BroadcastPlan(outputShape: outputShape, operandShapes: shapes)
        let rowLength = plan.rowLength, leftStride = plan.rowStrides[0], rightStride = plan.rowStrides[1]
        let scalars = [Float].uninitialized(count: Tensor.elementCount(of: outputShape)) { output in
            inputs[0].withUnsafeBufferPointer { left in
                inputs[1].withUnsafeBufferPointer { right in
                    plan.forEachRow { outputOffset, operandOffsets in
                        let target = output + outputOffset
                        let leftRow = left.baseAddress! + operandOffsets[0], rightRow = right.baseAddress! + operandOffsets[1]
                        for index in 0..<rowLength { target[index] = leftRow[index * leftStride] * rightRow[index * rightStride] }
                    }
                }
            }
        }
        return [Tensor(shape: outputShape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let inputs = cachedInputs else { preconditionFailure("Mul '\(name)': backward without a training forward pass") }
        let gradient = outputGradients[0]
        let plan = BroadcastPlan(outputShape: gradient.shape, operandShapes: inputs.map(\.shape))
        let rowLength = plan.rowLength, rowStrides = plan.rowStrides
        return (0..<2).map { operand -> Tensor? in
            guard needsInputGradients[operand] else { return nil }
            let other = 1 - operand
            let stride = rowStrides[operand], otherStride = rowStrides[other]
            var result = Tensor(zeros: inputs[operand].shape)
            result.withUnsafeMutableBufferPointer { target in
                gradient.withUnsafeBufferPointer { dy in
                    inputs[other].withUnsafeBufferPointer { factor in
                        plan.forEachRow { outputOffset, operandOffsets in
                            let gradientRow = dy.baseAddress! + outputOffset
                            let targetRow = target.baseAddress! + operandOffsets[operand]
                            let factorRow = factor.baseAddress! + operandOffsets[other]
                            for index in 0..<rowLength {
                                targetRow[index * stride] += gradientRow[index] * factorRow[index * otherStride]
                            }
                        }
                    }
                }
            }
            return result
        }
    }
}
