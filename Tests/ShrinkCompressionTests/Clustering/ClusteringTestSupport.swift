import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
@testable import ShrinkCompression

/// Small models and data for the clustering and distillation tests.
enum ClusteringTestSupport {
    /// `fc1` 4→`hidden` → ReLU → `fc2` `hidden`→`classes`.
    static func multilayerPerceptron(hidden: Int = 8, classes: Int = 3, name: String = "tiny", seed: UInt64 = 1) -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return try! GraphNetwork(graph: multilayerPerceptronGraph(hidden: hidden, classes: classes, name: name), generator: &generator)
    }

    /// The graph of `multilayerPerceptron`.
    static func multilayerPerceptronGraph(hidden: Int = 8, classes: Int = 3, name: String = "tiny") -> Graph {
        var builder = GraphBuilder(name: name, inputShape: [4])
        var x = builder.add("fc1", LinearOperator(inputFeatures: 4, outputFeatures: hidden), builder.input)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: hidden, outputFeatures: classes), x)
        return builder.finish()
    }

    /// The fixed linear rule the synthetic labels follow: `[classes, 4]`.
    static let rule: [[Float]] = [[2, -1, 0, 1], [-1, 2, 1, 0], [0, -1, -2, 1]]

    /// `count` samples of 4 standard-normal features, labelled by the argmax of `rule · x`.
    static func dataset(count: Int, seed: UInt64) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var inputs = [Float]()
        var labels = [Int]()
        for _ in 0..<count {
            let sample = (0..<4).map { _ in generator.nextNormal() }
            inputs += sample
            let scores = rule.map { row in zip(row, sample).reduce(0) { $0 + $1.0 * $1.1 } }
            labels.append(scores.indices.max { scores[$0] < scores[$1] }!)
        }
        return LabeledDataset(inputs: Tensor(shape: [count, 4], scalars: inputs), labels: labels, classCount: 3)
    }

    static func context(trainingCount: Int = 256, epochs: Int = 1, progress: @escaping (CompressionProgress) -> Void = { _ in }) -> CompressionContext {
        CompressionContext(
            training: dataset(count: trainingCount, seed: 5), validation: dataset(count: 200, seed: 6),
            fineTuning: TrainingConfiguration(
                epochs: epochs, batchSize: 16, optimizer: .sgd(momentum: 0.9, weightDecay: 0, nesterov: false),
                baseLearningRate: 0.05, seed: 3),
            progress: progress)
    }
}
