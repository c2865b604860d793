import ShrinkTensor

/// The rectifier `max(0, x)`, element-wise on any shape. Its gradient at 0 is taken as 0.
public final class ReLU: Layer {
    public let name: String
    /// The output of the last training forward pass (positive exactly where the input was).
    private var cachedOutput: Tensor?

    public init(name: String) {
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        cachedOutput = nil  // let the allocator reuse its storage for the new output
        let count = input.count
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { x in
                VectorLoops.rectify(x.baseAddress!, to: output, count: count)
            }
        }
        let output = Tensor(shape: input.shape, scalars: scalars)
        cachedOutput = mode == .training ? output : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let output = cachedOutput else {
            preconditionFailure("ReLU '\(name)': backward without a training forward pass")
        }
        precondition(outputGradient.shape == output.shape,
                     "ReLU '\(name)': output gradient shape \(outputGradient.shape) does not match \(output.shape)")
        let count = output.count
        let scalars = [Float].uninitialized(count: count) { dx in
            output.withUnsafeBufferPointer { y in
                outputGradient.withUnsafeBufferPointer { dy in
                    VectorLoops.passWherePositive(dy.baseAddress!, mask: y.baseAddress!, to: dx, count: count)
                }
            }
        }
        return Tensor(shape: output.shape, scalars: scalars)
    }
}
