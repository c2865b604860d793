import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
@testable import ShrinkCompression

/// Small networks, datasets and contexts for the pruning tests.
enum PruningTestSupport {
    static func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> NamedLayerSpecification {
        NamedLayerSpecification(name: name, layer: .linear(inputFeatures: inputs, outputFeatures: outputs, hasBias: true))
    }

    static func layer(_ name: String, _ specification: LayerSpecification) -> NamedLayerSpecification {
        NamedLayerSpecification(name: name, layer: specification)
    }

    /// `fc1` 6→4 → ReLU → `fc2` 4→3 → ReLU → `fc3` 3→2 on `[6]` inputs.
    static let multilayerPerceptron = ModelArchitecture(
        name: "mlp", inputShape: [6],
        layers: [
            linear("fc1", 6, 4), layer("relu1", .relu), linear("fc2", 4, 3), layer("relu2", .relu),
            linear("fc3", 3, 2),
        ])

    /// `conv1` 1→4 3×3 on `[1, 8, 8]` → max pool 2 → `conv2` 4→3 2×2 → flatten (12) → `fc` 12→2.
    static let convolutional = ModelArchitecture(
        name: "cnn", inputShape: [1, 8, 8],
        layers: [
            layer("conv1", .convolution2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 1, padding: 0, hasBias: true)),
            layer("pool1", .maxPool2D(kernelSize: 2, stride: 2)),
            layer("conv2", .convolution2D(inputChannels: 4, outputChannels: 3, kernelSize: 2, stride: 1, padding: 0, hasBias: true)),
            layer("relu1", .relu),
            layer("flatten", .flatten),
            linear("fc", 12, 2),
        ])

    static func network(_ architecture: ModelArchitecture, seed: UInt64 = 7) -> Sequential {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return try! Sequential(architecture: architecture, generator: &generator)
    }

    /// Sets every parameter to multiples of 1/8 in [-1, 1] (nonzero), so that sums of products
    /// are exact in any order and results can be compared for equality.
    static func setDyadicValues(_ network: Sequential, seed: UInt64) {
        var generator = SeededRandomNumberGenerator(seed: seed)
        for parameter in network.parameters where parameter.kind == .trainable {
            let scalars = (0..<parameter.value.count).map { _ -> Float in
                let magnitude = Float(1 + generator.nextIndex(below: 8)) / 8
                return generator.nextIndex(below: 2) == 0 ? magnitude : -magnitude
            }
            parameter.value = Tensor(shape: parameter.value.shape, scalars: scalars)
        }
    }

    /// Inputs whose elements are multiples of 1/4 in [-1, 1].
    static func dyadicInputs(shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Float(generator.nextIndex(below: 9) - 4) / 4 })
    }

    /// A linearly separable two-class problem on `[6]` inputs.
    static func dataset(count: Int, seed: UInt64) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var scalars = [Float]()
        var labels = [Int]()
        for _ in 0..<count {
            let sample = (0..<6).map { _ in generator.nextUniform() * 2 - 1 }
            scalars += sample
            labels.append(sample[0] + sample[1] - sample[2] > 0 ? 1 : 0)
        }
        return LabeledDataset(inputs: Tensor(shape: [count, 6], scalars: scalars), labels: labels, classCount: 2)
    }

    static func context(
        optimizer: OptimizerConfiguration = .sgd(momentum: 0.9, weightDecay: 0.01, nesterov: false),
        epochs: Int = 2, progress: @escaping (CompressionProgress) -> Void = { _ in }
    ) -> CompressionContext {
        CompressionContext(
            training: dataset(count: 64, seed: 1), validation: dataset(count: 32, seed: 2),
            fineTuning: TrainingConfiguration(
                epochs: epochs, batchSize: 16, optimizer: optimizer, baseLearningRate: 0.1, seed: 3),
            progress: progress)
    }

    static func zeroPositions(of tensor: Tensor) -> [Int] {
        tensor.scalars.indices.filter { tensor.scalars[$0] == 0 }
    }
}
