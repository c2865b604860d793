import ShrinkTensor

/// A one-input op applying the same scalar function to every element: the output has the
/// input's shape, channels are tied (`.elementwise`), and the kernel is
/// `ElementwiseActivationKernel`. Conformers give the function, its derivative and its
/// arithmetic per element.
public protocol ElementwiseActivation: Operator {
    /// `f(x)`.
    func value(_ input: Float) -> Float
    /// `f′(x)`, given `x` and `f(x)` (whichever is cheaper to use). At a kink, the derivative
    /// of the piece the kink belongs to by the op's documentation.
    func derivative(input: Float, output: Float) -> Float
    /// The arithmetic of one element.
    var operationsPerElement: OperationCount { get }
}

extension ElementwiseActivation {
    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { inputShapes }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        operationsPerElement.scaled(by: outputShapes[0].reduce(1, *))
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        ElementwiseActivationKernel(name: name, activation: self)
    }
}

extension OperationCount {
    /// Every count multiplied by `factor` (per-element arithmetic times the element count).
    func scaled(by factor: Int) -> OperationCount {
        OperationCount(multiplyAccumulates: multiplyAccumulates * factor, multiplies: multiplies * factor,
                       additions: additions * factor, comparisons: comparisons * factor,
                       transcendentals: transcendentals * factor)
    }
}

/// Runs an `ElementwiseActivation`: `y = f(x)`, `∂x = f′(x) · ∂y`.
final class ElementwiseActivationKernel<Activation: ElementwiseActivation>: OperatorKernel {
    let name: String
    let activation: Activation
    /// The input and output of the last training forward pass.
    private var cached: (input: Tensor, output: Tensor)?

    init(name: String, activation: Activation) {
        self.name = name
        self.activation = activation
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        cached = nil
        let input = inputs[0], count = input.count
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { x in
                for index in 0..<count { output[index] = activation.value(x[index]) }
            }
        }
        let output = Tensor(shape: input.shape, scalars: scalars)
        if mode == .training { cached = (input, output) }
        return [output]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let (input, output) = cached else {
            preconditionFailure("\(Activation.typeName) '\(name)': backward without a training forward pass")
        }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0], count = input.count
        precondition(gradient.shape == input.shape,
                     "\(Activation.typeName) '\(name)': output gradient shape \(gradient.shape) does not match \(input.shape)")
        let scalars = [Float].uninitialized(count: count) { dx in
            input.withUnsafeBufferPointer { x in
                output.withUnsafeBufferPointer { y in
                    gradient.withUnsafeBufferPointer { dy in
                        for index in 0..<count { dx[index] = activation.derivative(input: x[index], output: y[index]) * dy[index] }
                    }
                }
            }
        }
        return [Tensor(shape: input.shape, scalars: scalars)]
    }
}
