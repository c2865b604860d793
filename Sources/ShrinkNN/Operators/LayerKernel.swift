import ShrinkTensor

/// Runs a one-input, one-output `Layer` as a graph node's kernel.
final class SingleInputKernel: OperatorKernel {
    let layer: any Layer

    init(_ layer: any Layer) {
        self.layer = layer
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        [layer.forward(inputs[0], mode: mode)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        [layer.backward(outputGradients[0], needsInputGradient: needsInputGradients[0])]
    }
}

/// Shape checks shared by the ops.
enum ShapeChecks {
    /// The input's fixed per-sample sizes (everything after the batch), or an error naming
    /// what the op expected.
    static func sample(_ shape: ValueShape, rank: Int? = nil, expected: String) throws(OperatorError) -> [Int] {
        guard let sample = shape.sampleShape, rank.map({ sample.count == $0 }) ?? true else {
            throw OperatorError("expects \(expected)")
        }
        return sample
    }
}
