import ShrinkTensor

/// A named tensor owned by a layer: a trainable weight with its gradient, or a buffer such as
/// BatchNorm's running statistics that is saved with the model but not trained.
///
/// Names are hierarchical, `<layer name>.<tensor name>` (`fc1.weight`, `conv2.bias`,
/// `bn1.running_mean`), so compression configs can address them by pattern.
public final class Parameter {
    /// Whether an optimizer updates this tensor.
    public enum Kind: String, Codable, Sendable {
        case trainable
        case buffer
    }

    /// The full hierarchical name, e.g. `fc1.weight`.
    public let name: String
    public let kind: Kind
    /// The current value.
    public var value: Tensor
    /// The gradient of the loss with respect to `value`, accumulated by `backward` and cleared by
    /// `zeroGradient()`. Same shape as `value`; always zero for buffers. Allocated on first
    /// write, so models that only run inference hold no gradient storage.
    public var gradient: Tensor {
        get { storedGradient ?? Tensor(zeros: value.shape) }
        _modify {
            if storedGradient == nil { storedGradient = Tensor(zeros: value.shape) }
            yield &storedGradient!
        }
        set { storedGradient = newValue }
    }

    private var storedGradient: Tensor?

    /// Whether gradient storage has been allocated.
    public var hasGradientStorage: Bool { storedGradient != nil }

    public init(name: String, value: Tensor, kind: Kind = .trainable) {
        self.name = name
        self.kind = kind
        self.value = value
    }

    /// Sets the gradient to zero, keeping its storage (allocated if there is none yet).
    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }
}
