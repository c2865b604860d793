/// A serializable description of one layer: its type and hyper-parameters, without weights.
///
/// The model file stores a model's architecture as a list of these; `Sequential(architecture:)`
/// rebuilds the layers from it. Shapes follow NCHW for images.
public enum LayerSpecification: Codable, Equatable, Sendable {
    /// `y = x · Wᵀ + b`; weight `[outputFeatures, inputFeatures]`, bias `[outputFeatures]`.
    case linear(inputFeatures: Int, outputFeatures: Int, hasBias: Bool)
    /// 2-D convolution; weight `[outputChannels, inputChannels, kernelHeight, kernelWidth]`.
    case convolution2D(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int, padding: Int, hasBias: Bool)
    case maxPool2D(kernelSize: Int, stride: Int)
    case averagePool2D(kernelSize: Int, stride: Int)
    case relu
    /// `[N, C, H, W]` → `[N, C·H·W]`.
    case flatten
    /// Inverted dropout: zeroes each activation with probability `rate` in training.
    case dropout(rate: Float)
    /// Per-channel batch normalization with running statistics for inference. As in PyTorch,
    /// training updates `running = (1 − momentum) · running + momentum · batch statistic`
    /// (the running variance uses the unbiased batch variance).
    case batchNormalization2D(channels: Int, epsilon: Float, momentum: Float)
    /// A nested chain of layers run in order (what a `Sequential` model reports as its own
    /// specification). Parameter names stay flat: the nested layers' names must be unique
    /// across the whole model.
    case sequential(layers: [NamedLayerSpecification])

    /// The layer type's stable name, used by per-layer configuration ("linear", "conv2d", ...).
    public var typeName: String {
        switch self {
        case .linear: "linear"
        case .convolution2D: "conv2d"
        case .maxPool2D: "maxpool2d"
        case .averagePool2D: "avgpool2d"
        case .relu: "relu"
        case .flatten: "flatten"
        case .dropout: "dropout"
        case .batchNormalization2D: "batchnorm2d"
        case .sequential: "sequential"
        }
    }
}

/// A layer specification with the name its parameters are addressed by.
public struct NamedLayerSpecification: Codable, Equatable, Sendable {
    public var name: String
    public var layer: LayerSpecification

    public init(name: String, layer: LayerSpecification) {
        self.name = name
        self.layer = layer
    }
}

/// A feed-forward model's architecture: what the model file stores besides the tensors.
public struct ModelArchitecture: Codable, Equatable, Sendable {
    /// A short identifier such as `lenet-300-100`.
    public var name: String
    /// The shape of one input sample, without the batch dimension (`[1, 28, 28]` for MNIST).
    public var inputShape: [Int]
    /// The layers in execution order.
    public var layers: [NamedLayerSpecification]

    public init(name: String, inputShape: [Int], layers: [NamedLayerSpecification]) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
    }
}
