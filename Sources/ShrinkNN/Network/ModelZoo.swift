/// Why a model-zoo lookup failed.
public enum ModelZooError: Error, Equatable, CustomStringConvertible {
    case unknownModel(name: String, available: [String])
    /// An input normalization was given for a model whose graph has no normalization node.
    case noInputNormalization(model: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let available):
            "Unknown model '\(name)'; available models: \(available.joined(separator: ", "))"
        case .noInputNormalization(let model):
            "Model '\(model)' has no input normalization node: it takes its inputs as they are"
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
/// - `resnet-mini` (input `[1, 28, 28]`): a small ResNet-style graph that exercises what chains
///   could not express: a stem `conv` 1→8 3×3 → BatchNorm → ReLU; a residual stage at 28×28
///   (two 3×3 convs with BatchNorm, `Add` with the stem, ReLU); `down` 8→16 3×3 stride 2; a
///   residual stage at 14×14; a depthwise-separable block (depthwise 3×3 → BatchNorm → ReLU6 →
///   pointwise 1×1 16→16 → BatchNorm → ReLU); `Concat` of the stage and the block (32
///   channels); global average pool; `fc` 32→10. 7,922 parameters.
///
/// For CIFAR-10 (input `[3, 32, 32]` pixels in [0, 1], normalized per channel by a first node
/// `input_normalization`; every convolution without bias and followed by BatchNorm;
/// `ModelZoo+CIFAR.swift`):
///
/// - `resnet-20`: He et al.'s ResNet-20, 3×3 stem 3→16, three stages of three basic residual
///   blocks at 16, 32 and 64 channels (stride 2 and a 1×1 projection shortcut entering stages 2
///   and 3), global average pooling, `fc` 64→10. 272,474 parameters.
/// - `vgg-11`, `vgg-13`: VGG's 3×3 stacks for 32×32 (BatchNorm, ReLU, five 2×2 max pools) and
///   one `fc` 512→10. 9,231,114 and 9,416,010 parameters.
/// - `mobilenet-v2`: MobileNetV2 with the CIFAR-10 strides (stem and second stage at stride 1),
///   17 inverted residual blocks (expansion 6, linear bottlenecks, ReLU6), 1×1 head to 1280,
///   global average pooling, `fc` 1280→10. 2,236,682 parameters.
/// - `mobilenet-v2-small`: a student-sized net in the same style (stem 16; stages of expansion 1
///   and 4 at 16, 24, 32 and 64 channels, stride 2 entering the last three; 1×1 head to 256;
///   `fc` 256→10). 96,650 parameters.
///
/// All end in logits (no softmax); the loss applies it.
public enum ModelZoo {
    /// The available architecture names.
    public static let names = ["lenet-300-100", "lenet-5", "mlp-784-100-10", "resnet-mini", "resnet-20", "vgg-11", "vgg-13",
                               "mobilenet-v2", "mobilenet-v2-small"]
}
