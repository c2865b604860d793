import ShrinkNN
import ShrinkTensor

/// A model as stored on disk: its architecture, its named tensors and typed metadata.
///
/// The container (docs/FORMAT.md) is versioned, checksummed and validated before anything is
/// allocated; `write(to:)` replaces the target atomically. A tensor is stored as dense fp32
/// (`dense-f32`, bit for bit) unless it carries a `StoredEncoding` (`coded`: fp16, affine N-bit,
/// palettized, relative-index sparse, Huffman-coded sparse streams).
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
