import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
@testable import ShrinkCompression

/// Small networks, datasets and contexts for the pruning tests.
enum PruningTestSupport {
    /// `fc1` 6→4 → ReLU → `fc2` 4→3 → ReLU → `fc3` 3→2 on `[6]` inputs.
    static var multilayerPerceptron: Graph {
        var builder = GraphBuilder(name: "mlp", inputShape: [6])
        var x = builder.add("fc1", LinearOperator(inputFeatures: 6, outputFeatures: 4), builder.input)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("fc2", LinearOperator(inputFeatures: 4, outputFeatures: 3), x)
        x = builder.add("relu2", ReLUOperator(), x)
        builder.add("fc3", LinearOperator(inputFeatures: 3, outputFeatures: 2), x)
        return builder.finish()
    }

    /// `conv1` 1→4 3×3 on `[1, 8, 8]` → max pool 2 → `conv2` 4→3 2×2 → flatten (12) → `fc` 12→2.
    static var convolutional: Graph {
        var builder = GraphBuilder(name: "cnn", inputShape: [1, 8, 8])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 4, window: WindowGeometry(square: 3)),
                            builder.input)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("conv2", Convolution2DOperator(inputChannels: 4, outputChannels: 3, window: WindowGeometry(square: 2)), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        builder.add("fc", LinearOperator(inputFeatures: 12, outputFeatures: 2), x)
        return builder.finish()
    }

    static func network(_ graph: Graph, seed: UInt64 = 7) -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return try! GraphNetwork(graph: graph, generator: &generator)
    }

    /// Sets every parameter to multiples of 1/8 in [-1, 1] (nonzero), so that sums of products
    /// are exact in any order and results can be compared for equality.
    static func setDyadicValues(_ network: GraphNetwork, seed: UInt64) {
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
