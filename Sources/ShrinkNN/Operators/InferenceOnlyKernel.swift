import ShrinkTensor

/// A kernel of an inference-only op (`MatMulInteger`, `QLinearMatMul`, `QLinearConv`: integer
/// arithmetic without a derivative): its forward runs in any mode, and backward returns nil for
/// every input and adds nothing to its weights' gradients: no gradient flows through such a
/// node, and its own weights never train.
protocol InferenceOnlyKernel: OperatorKernel {}

extension InferenceOnlyKernel {
    /// No gradients: nil for every input, nothing added to the weights.
    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        needsInputGradients.map { _ in nil }
    }
}
