import ShrinkGraph
import ShrinkTensor

/// A model as stored on disk: its graph, its named tensors (the weights the graph's ops declare,
/// `<node>.<weight>`), the static quantization of its activations, and typed metadata.
///
/// The container (docs/FORMAT.md) is versioned, checksummed and validated before anything is
/// allocated; `write(to:)` replaces the target atomically. A tensor is stored as dense fp32
/// (`dense-f32`, bit for bit) unless it carries a `StoredEncoding` (`coded`: fp16, affine N-bit,
/// palettized, relative-index sparse, Huffman-coded sparse streams). Files of format 1.x (a
/// chain of layers) are read as the equivalent graph.
public struct ModelFile: Sendable {
    /// The model's graph.
    public var graph: Graph
    /// The model's weights and buffers, in the graph's node order.
    public var tensors: [StoredTensor]
    /// Calibrated quantization of activations by graph value name (static int8): the runtime's
    /// integer kernels quantize these values with exactly these parameters.
    public var activationQuantization: [String: ActivationQuantization]
    /// Where the model came from.
    public var metadata: ModelMetadata

    /// Creates a model file from its parts.
    public init(graph: Graph, tensors: [StoredTensor], activationQuantization: [String: ActivationQuantization] = [:],
                metadata: ModelMetadata = ModelMetadata()) {
        self.graph = graph
        self.tensors = tensors
        self.activationQuantization = activationQuantization
        self.metadata = metadata
    }

    /// Creates a model file from a network's parameters, copying their current values.
    public init(graph: Graph, parameters: [Parameter], metadata: ModelMetadata = ModelMetadata()) {
        self.init(graph: graph, tensors: parameters.map(StoredTensor.init), metadata: metadata)
    }

    /// The tensor named `name`, if any.
    public func tensor(named name: String) -> StoredTensor? {
        tensors.first { $0.name == name }
    }
}
