import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// A small trained MLP and seeded data the tuning tests share.
enum TuningFixtures {
    /// 16 inputs → fc1 (24) → ReLU → fc2 (3).
    static var graph: Graph {
        var builder = GraphBuilder(name: "sensitivity-test", inputShape: [16])
        let hidden = builder.add("relu", ReLUOperator(), builder.add("fc1", LinearOperator(inputFeatures: 16, outputFeatures: 24), builder.input))
        builder.add("fc2", LinearOperator(inputFeatures: 24, outputFeatures: 3), hidden)
        return builder.finish()
    }

    /// Three classes, each a different group of 4 features lifted by 1 above seeded uniform noise
    /// of width `noise` (0.8: easy; 3: classes overlap, so compression costs accuracy).
    static func dataset(count: Int, seed: UInt64, noise: Float = 0.8) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var scalars = [Float](), labels = [Int]()
        for index in 0..<count {
            let label = index % 3
            for feature in 0..<16 { scalars.append((feature / 4 == label ? 1 : 0) + noise * (generator.nextUniform() - 0.5)) }
            labels.append(label)
        }
        return LabeledDataset(inputs: Tensor(shape: [count, 16], scalars: scalars), labels: labels, classCount: 3)
    }

    /// The trained model as a file (fp32).
    static func trainedFile(noise: Float = 0.8) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: 3)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        try Trainer().train(model: network, on: dataset(count: 600, seed: 1, noise: noise), configuration: TrainingConfiguration(
            epochs: 3, batchSize: 20, optimizer: .sgd(momentum: 0.9, weightDecay: 0, nesterov: false),
            baseLearningRate: 0.05, seed: 2))
        return try CompressedModel(network: network).modelFile()
    }

}
