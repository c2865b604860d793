import ShrinkTensor

/// One weight tensor a node owns: its name within the node (`weight`, `bias`,
/// `running_mean`), its shape, whether training updates it, and how it starts.
public struct WeightDeclaration: Hashable, Sendable {
    /// The name after the node's (`conv1.weight` has name `weight`).
    public var name: String
    public var shape: [Int]
    public var kind: Parameter.Kind
    /// The role compression and the runtime read it in.
    public var role: WeightRole

    public init(name: String, shape: [Int], kind: Parameter.Kind = .trainable, role: WeightRole) {
        self.name = name
        self.shape = shape
        self.kind = kind
        self.role = role
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// What a weight is for, so compression techniques can pick the tensors they apply to without
/// knowing each op: pruning, quantization and clustering address `.matrix` weights by default.
public enum WeightRole: String, Hashable, Sendable {
    /// Multiplies activations (Linear, convolution, MatMul with a constant operand, embeddings):
    /// axis 0 indexes output channels.
    case matrix
    /// Added per output channel.
    case bias
    /// Per-channel scale or shift of a normalization.
    case normalizationScale
    case normalizationShift
    /// Statistics kept for inference (BatchNorm's running mean and variance).
    case statistic
    /// Anything else.
    case other
}
