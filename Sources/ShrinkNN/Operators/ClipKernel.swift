import ShrinkKernels
import ShrinkTensor

/// Runs `Clip` and `ReLU6`: `y = min(max(x, minimum), maximum)` as a vector compare-and-blend
/// split across threads, and `∂x = ∂y` where `minimum < y < maximum`, else 0. The output alone
/// decides the gradient (`y` is strictly inside the bounds exactly where `x` is), so only the
/// output is kept from a training forward pass. `ElementwiseActivationKernel` over the op's
/// `value` and `derivative` is its reference twin (`ClipKernelTests`).
final class ClipKernel: OperatorKernel {
    let name: String
    let minimum: Float
    let maximum: Float
    /// The output of the last training forward pass.
    private var cachedOutput: Tensor?

    init(name: String, minimum: Float, maximum: Float) {
        self.name = name
        self.minimum = minimum
        self.maximum = maximum
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        cachedOutput = nil  // let the allocator reuse its storage for the new output
        let input = inputs[0], count = input.count, minimum = minimum, maximum = maximum
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { x in
                let x = x.baseAddress!
                Parallelism.forEachChunk(count: count, minimumChunk: ReLU.elementsPerChunk) { range in
                    VectorLoops.clip(x + range.lowerBound, to: output + range.lowerBound, count: range.count,
                                     minimum: minimum, maximum: maximum)
                }
            }
        }
        let output = Tensor(shape: input.shape, scalars: scalars)
        if mode == .training { cachedOutput = output }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let output = cachedOutput else {
            preconditionFailure("Clip '\(name)': backward without a training forward pass")
        }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0], count = output.count, minimum = minimum, maximum = maximum
        precondition(gradient.shape == output.shape,
                     "Clip '\(name)': output gradient shape \(gradient.shape) does not match \(output.shape)")
        let scalars = [Float].uninitialized(count: count) { dx in
            output.withUnsafeBufferPointer { y in
                gradient.withUnsafeBufferPointer { dy in
                    let y = y.baseAddress!, dy = dy.baseAddress!
                    Parallelism.forEachChunk(count: count, minimumChunk: ReLU.elementsPerChunk) { range in
                        let start = range.lowerBound
                        VectorLoops.passWhereInside(dy + start, values: y + start, to: dx + start, count: range.count,
                                                    minimum: minimum, maximum: maximum)
                    }
                }
            }
        }
        return [Tensor(shape: output.shape, scalars: scalars)]
    }
}
