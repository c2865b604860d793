import ShrinkGraph
import ShrinkNN
/// One layer of a format 1.x architecture: how files of format 1.0–1.2 described a model (a
/// chain of these in the manifest's `architecture` object, in Swift's automatic `Codable` form
/// of this enum: `{"linear": {"inputFeatures": 784, "outputFeatures": 300, "hasBias": true}}`).
/// Kept only to read those files; `FormatOneArchitecture.graph` converts them. Case names and
/// labels must never change.
enum FormatOneLayer: Codable, Equatable, Sendable {
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
    case sequential(layers: [FormatOneNamedLayer])

    /// The layer type's stable name, used by per-layer configuration ("linear", "conv2d", ...).
    var typeName: String {
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
struct FormatOneNamedLayer: Codable, Equatable, Sendable {
    var name: String
    var layer: FormatOneLayer

    init(name: String, layer: FormatOneLayer) {
        self.name = name
        self.layer = layer
    }
}

/// A feed-forward model's architecture: what the model file stores besides the tensors.
struct FormatOneArchitecture: Codable, Equatable, Sendable {
    /// A short identifier such as `lenet-300-100`.
    var name: String
    /// The shape of one input sample, without the batch dimension (`[1, 28, 28]` for MNIST).
    var inputShape: [Int]
    /// The layers in execution order.
    var layers: [FormatOneNamedLayer]

    init(name: String, inputShape: [Int], layers: [FormatOneNamedLayer]) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
    }
}
