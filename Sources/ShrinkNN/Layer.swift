import ShrinkTensor

/// One differentiable step of a model.
///
/// Contract: `forward(_:mode: .training)` caches whatever `backward` needs; `backward` receives
/// the loss gradient with respect to the last training forward's output, **adds** the gradients
/// of the layer's parameters into `Parameter.gradient`, and returns the gradient with respect to
/// that forward's input.
public protocol Layer: AnyObject {
    /// The layer's name within its model (`fc1`, `conv2`); prefix of its parameters' names.
    var name: String { get }
    /// Trainable parameters and buffers, in a fixed order.
    var parameters: [Parameter] { get }
    /// Computes the output for a batch.
    func forward(_ input: Tensor, mode: ForwardMode) -> Tensor
    /// Back-propagates through the last training forward pass.
    func backward(_ outputGradient: Tensor) -> Tensor
    /// Back-propagates like `backward(_:)`, adding the parameter gradients; when
    /// `needsInputGradient` is false (the first layer of a model) the layer may skip computing
    /// the input gradient and return nil.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?
}

extension Layer {
    /// Computes the input gradient even when it is not needed (for layers where it is cheap).
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        backward(outputGradient)
    }
}
