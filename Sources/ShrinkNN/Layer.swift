import ShrinkTensor

/// Whether a forward pass is part of training (caches activations for `backward`, dropout and
/// batch statistics active) or inference.
public enum ForwardMode: Sendable {
    case training
    case inference
}

/// One differentiable step of a model.
///
/// Contract: `forward(_:mode: .training)` caches whatever `backward` needs; `backward` receives
/// the loss gradient with respect to the last training forward's output, **adds** the gradients
/// of the layer's parameters into `Parameter.gradient`, and returns the gradient with respect to
/// that forward's input.
public protocol Layer: AnyObject {
    /// The layer's name within its model (`fc1`, `conv2`); prefix of its parameters' names.
    var name: String { get }
    /// The description from which this layer can be rebuilt (architecture files, reports).
    var specification: LayerSpecification { get }
    /// Trainable parameters and buffers, in a fixed order.
    var parameters: [Parameter] { get }
    /// Computes the output for a batch.
    func forward(_ input: Tensor, mode: ForwardMode) -> Tensor
    /// Back-propagates through the last training forward pass.
    func backward(_ outputGradient: Tensor) -> Tensor
}
