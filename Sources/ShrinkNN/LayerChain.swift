import ShrinkTensor

/// A model that runs a list of layers one after another on samples of a fixed shape:
/// `Sequential`, and networks that wrap some of a `Sequential`'s layers (quantization
/// simulation). Conforming types get `forward` and both `backward`s from here.
public protocol LayerChain: Layer {
    /// The layers, in execution order.
    var layers: [any Layer] { get }
    /// The shape of one input sample, without the batch dimension.
    var sampleInputShape: [Int] { get }
}

extension LayerChain {
    /// Runs the batch through every layer. An input with the right number of elements per
    /// sample (such as `[batch, 784]` for a `[1, 28, 28]` model) is reshaped to
    /// `[batch] + sampleInputShape`.
    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let sampleSize = sampleInputShape.reduce(1, *)
        precondition(input.rank >= 1 && input.shape.dropFirst().reduce(1, *) == sampleSize,
                     "Model '\(name)' expects [batch] + \(sampleInputShape), got \(input.shape)")
        let expectedShape = [input.shape[0]] + sampleInputShape
        var activation = input.shape == expectedShape ? input : input.reshaped(expectedShape)
        for layer in layers { activation = layer.forward(activation, mode: mode) }
        return activation
    }

    /// Back-propagates through every layer in reverse, adding into the parameters' gradients.
    /// Returns the gradient with respect to the input, shaped `[batch] + sampleInputShape`.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    /// Back-propagates through every layer in reverse, adding into the parameters' gradients.
    /// With `needsInputGradient: false` (training, where the input gradient is discarded) the
    /// first layer skips computing it, which saves the most expensive part of a first
    /// convolution's backward pass; the result is then nil.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        var gradient = outputGradient
        for (index, layer) in layers.enumerated().reversed() {
            guard let next = layer.backward(gradient, needsInputGradient: index > 0 || needsInputGradient) else {
                return nil
            }
            gradient = next
        }
        return gradient
    }
}
