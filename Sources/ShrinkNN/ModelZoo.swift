/// Why a model-zoo lookup failed.
public enum ModelZooError: Error, Equatable, CustomStringConvertible {
    case unknownModel(name: String, available: [String])

    public var description: String {
        switch self {
        case .unknownModel(let name, let available):
            "Unknown model '\(name)'; available models: \(available.joined(separator: ", "))"
        }
    }
}

/// The built-in architectures, by name.
///
/// - `lenet-300-100` (input `[1, 28, 28]`): `flatten` → `fc1` 784→300 → `relu1` → `fc2` 300→100
///   → `relu2` → `fc3` 100→10. 266,610 parameters.
/// - `lenet-5`, Caffe's MNIST LeNet (`lenet_train_test.prototxt`) as used by Han et al.,
///   *Deep Compression*: `conv1` 1→20 5×5 → `pool1` max 2/2 → `conv2` 20→50 5×5 → `pool2` max
///   2/2 → `flatten` (800) → `fc1` 800→500 → `relu1` → `fc2` 500→10. Like Caffe, no ReLU after
///   the convolutions. 431,080 parameters.
///
/// - `mlp-784-100-10` (input `[1, 28, 28]`): `flatten` → `fc1` 784→100 → `relu1` → `fc2` 100→10.
///   79,510 parameters: the distillation student, here so that it can be trained alone with the
///   same recipe for comparison.
///
/// All end in logits (no softmax); the loss applies it.
public enum ModelZoo {
    /// The available architecture names.
    public static let names = ["lenet-300-100", "lenet-5", "mlp-784-100-10"]

    /// The architecture with this name.
    /// - Throws: `ModelZooError.unknownModel` listing the available names.
    public static func architecture(named name: String) throws(ModelZooError) -> ModelArchitecture {
        switch name {
        case "lenet-300-100": lenet300100
        case "lenet-5": lenet5
        case "mlp-784-100-10": multilayerPerceptron784100
        default: throw .unknownModel(name: name, available: names)
        }
    }

    static let lenet300100 = ModelArchitecture(
        name: "lenet-300-100", inputShape: [1, 28, 28],
        layers: [
            NamedLayerSpecification(name: "flatten", layer: .flatten),
            NamedLayerSpecification(name: "fc1", layer: .linear(inputFeatures: 784, outputFeatures: 300, hasBias: true)),
            NamedLayerSpecification(name: "relu1", layer: .relu),
            NamedLayerSpecification(name: "fc2", layer: .linear(inputFeatures: 300, outputFeatures: 100, hasBias: true)),
            NamedLayerSpecification(name: "relu2", layer: .relu),
            NamedLayerSpecification(name: "fc3", layer: .linear(inputFeatures: 100, outputFeatures: 10, hasBias: true)),
        ])

    static let multilayerPerceptron784100 = ModelArchitecture(
        name: "mlp-784-100-10", inputShape: [1, 28, 28],
        layers: [
            NamedLayerSpecification(name: "flatten", layer: .flatten),
            NamedLayerSpecification(name: "fc1", layer: .linear(inputFeatures: 784, outputFeatures: 100, hasBias: true)),
            NamedLayerSpecification(name: "relu1", layer: .relu),
            NamedLayerSpecification(name: "fc2", layer: .linear(inputFeatures: 100, outputFeatures: 10, hasBias: true)),
        ])

    static let lenet5 = ModelArchitecture(
        name: "lenet-5", inputShape: [1, 28, 28],
        layers: [
            NamedLayerSpecification(
                name: "conv1",
                layer: .convolution2D(inputChannels: 1, outputChannels: 20, kernelSize: 5, stride: 1, padding: 0, hasBias: true)),
            NamedLayerSpecification(name: "pool1", layer: .maxPool2D(kernelSize: 2, stride: 2)),
            NamedLayerSpecification(
                name: "conv2",
                layer: .convolution2D(inputChannels: 20, outputChannels: 50, kernelSize: 5, stride: 1, padding: 0, hasBias: true)),
            NamedLayerSpecification(name: "pool2", layer: .maxPool2D(kernelSize: 2, stride: 2)),
            NamedLayerSpecification(name: "flatten", layer: .flatten),
            NamedLayerSpecification(name: "fc1", layer: .linear(inputFeatures: 800, outputFeatures: 500, hasBias: true)),
            NamedLayerSpecification(name: "relu1", layer: .relu),
            NamedLayerSpecification(name: "fc2", layer: .linear(inputFeatures: 500, outputFeatures: 10, hasBias: true)),
        ])
}
