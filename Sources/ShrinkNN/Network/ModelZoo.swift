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
/// - `resnet-mini` (input `[1, 28, 28]`): a small ResNet-style graph that exercises what chains
///   could not express: a stem `conv` 1→8 3×3 → BatchNorm → ReLU; a residual stage at 28×28
///   (two 3×3 convs with BatchNorm, `Add` with the stem, ReLU); `down` 8→16 3×3 stride 2; a
///   residual stage at 14×14; a depthwise-separable block (depthwise 3×3 → BatchNorm → ReLU6 →
///   pointwise 1×1 16→16 → BatchNorm → ReLU); `Concat` of the stage and the block (32
///   channels); global average pool; `fc` 32→10. 7,922 parameters.
///
/// All end in logits (no softmax); the loss applies it.
public enum ModelZoo {
    /// The available architecture names.
    public static let names = ["lenet-300-100", "lenet-5", "mlp-784-100-10", "resnet-mini"]
}
