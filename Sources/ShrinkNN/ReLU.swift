import ShrinkKernels
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

    /// The fewest elements worth handing to a separate thread.
    static let elementsPerChunk = 1 << 16

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        cachedOutput = nil  // let the allocator reuse its storage for the new output
        let count = input.count
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { x in
                let x = x.baseAddress!
                Parallelism.forEachChunk(count: count, minimumChunk: Self.elementsPerChunk) { range in
                    VectorLoops.rectify(x + range.lowerBound, to: output + range.lowerBound, count: range.count)
                }
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
                    let y = y.baseAddress!, dy = dy.baseAddress!
                    Parallelism.forEachChunk(count: count, minimumChunk: Self.elementsPerChunk) { range in
                        let start = range.lowerBound
                        VectorLoops.passWherePositive(dy + start, mask: y + start, to: dx + start, count: range.count)
                    }
                }
            }
        }
        return Tensor(shape: output.shape, scalars: scalars)
    }
}
