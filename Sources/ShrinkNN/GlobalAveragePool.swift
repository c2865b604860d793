import ShrinkTensor

/// The kernel of `GlobalAveragePoolOperator`: `[batch, channels, height, width]` →
/// `[batch, channels, 1, 1]`, each output the mean of its input plane.
final class GlobalAveragePool: OperatorKernel {
    let name: String
    /// The input shape of the last training forward pass.
    private var cachedInputShape: [Int]?

    init(name: String) {
        self.name = name
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0], shape = input.shape
        precondition(shape.count == 4, "GlobalAveragePool '\(name)' expects [batch, channels, height, width], got \(shape)")
        let planes = shape[0] * shape[1], planeSize = shape[2] * shape[3]
        let scale = 1 / Float(planeSize)
        let scalars = [Float].uninitialized(count: planes) { output in
            input.withUnsafeBufferPointer { x in
                for plane in 0..<planes {
                    output[plane] = VectorLoops.sum(x.baseAddress! + plane * planeSize, count: planeSize) * scale
                }
            }
        }
        cachedInputShape = mode == .training ? shape : nil
        return [Tensor(shape: [shape[0], shape[1], 1, 1], scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shape = cachedInputShape else {
            preconditionFailure("GlobalAveragePool '\(name)': backward without a training forward pass")
        }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0]
        precondition(gradient.shape == [shape[0], shape[1], 1, 1],
                     "GlobalAveragePool '\(name)': output gradient shape \(gradient.shape) does not match the forward output")
        let planes = shape[0] * shape[1], planeSize = shape[2] * shape[3]
        let scale = 1 / Float(planeSize)
        let scalars = [Float].uninitialized(count: planes * planeSize) { output in
            gradient.withUnsafeBufferPointer { dy in
                for plane in 0..<planes {
                    (output + plane * planeSize).update(repeating: dy[plane] * scale, count: planeSize)
                }
            }
        }
        return [Tensor(shape: shape, scalars: scalars)]
    }
}
