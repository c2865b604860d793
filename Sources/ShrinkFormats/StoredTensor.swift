import ShrinkNN
import ShrinkTensor

/// One named tensor of a model file, decoded to fp32.
public struct StoredTensor: Equatable, Sendable {
    /// The hierarchical parameter name, e.g. `fc1.weight`.
    public var name: String
    /// Whether the tensor is trained or a buffer.
    public var kind: Parameter.Kind
    /// The values.
    public var value: Tensor

    /// Creates a stored tensor.
    public init(name: String, kind: Parameter.Kind = .trainable, value: Tensor) {
        self.name = name
        self.kind = kind
        self.value = value
    }

    /// Copies a parameter's name, kind and current value.
    public init(_ parameter: Parameter) {
        self.init(name: parameter.name, kind: parameter.kind, value: parameter.value)
    }
}
