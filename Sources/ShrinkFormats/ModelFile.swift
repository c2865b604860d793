import ShrinkNN
import ShrinkTensor

/// A model as stored on disk: its architecture, its named tensors and typed metadata.
///
/// The container (docs/FORMAT.md) is versioned, checksummed and validated before anything is
/// allocated; `write(to:)` replaces the target atomically. Today every tensor is stored as
/// dense fp32 (`TensorEncoding.denseFloat32`), bit for bit.
public struct ModelFile: Sendable {
    /// The layers from which the model is rebuilt.
    public var architecture: ModelArchitecture
    /// The model's parameters and buffers, in the model's order.
    public var tensors: [StoredTensor]
    /// Where the model came from.
    public var metadata: ModelMetadata

    /// Creates a model file from its parts.
    public init(architecture: ModelArchitecture, tensors: [StoredTensor], metadata: ModelMetadata = ModelMetadata()) {
        self.architecture = architecture
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Creates a model file from a model's parameters, copying their current values.
    public init(architecture: ModelArchitecture, parameters: [Parameter], metadata: ModelMetadata = ModelMetadata()) {
        self.init(architecture: architecture, tensors: parameters.map(StoredTensor.init), metadata: metadata)
    }

    /// The tensor named `name`, if any.
    public func tensor(named name: String) -> StoredTensor? {
        tensors.first { $0.name == name }
    }
}

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
