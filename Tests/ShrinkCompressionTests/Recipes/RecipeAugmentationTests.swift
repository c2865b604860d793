import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

/// A batch transform given to the recipe runner reaches the fine-tuning of every step that
/// trains (so `shrink compress` fine-tunes CIFAR-10 models with the crops and flips they were
/// trained with), reproducibly.
@Suite struct RecipeAugmentationTests {
    /// Adds seeded noise to every input and counts the batches it saw.
    final class CountingNoise: TrainingBatchTransform, @unchecked Sendable {
        var batches = 0
        func transformed(_ batch: Batch, using generator: inout SeededRandomNumberGenerator) -> Batch {
            batches += 1
            return Batch(inputs: Tensor(shape: batch.inputs.shape, scalars: batch.inputs.scalars.map { $0 + 0.5 * generator.nextNormal() }),
                         labels: batch.labels)
        }
    }

    static let trainingSteps: [(String, RecipeStep)] = [
        ("magnitude-pruning", .magnitudePruning(MagnitudePruningConfiguration(
            method: .layerSparsity, layers: PerLayerSettings(default: 0.5), schedule: .oneShot, fineTuneEpochs: 1))),
        ("structured-pruning", .structuredPruning(StructuredPruningConfiguration(
            layers: PerLayerSettings(default: 0.25), fineTuneEpochs: 1))),
        ("weight-clustering", .weightClustering(WeightClusteringConfiguration(
            bits: PerLayerSettings(default: .init(bits: 3)), fineTuning: .init(epochs: 1, learningRate: 0.01)))),
        ("quantization-aware-training", .quantizationAwareTraining(QuantizationAwareTrainingStep.Configuration(
            layers: PerLayerSettings(default: .init(weights: .weights(bits: 4))), epochs: 1))),
        ("distillation", .distillation(DistillationConfiguration(
            student: .graph(ClusteringTestSupport.multilayerPerceptronGraph(hidden: 6, name: "student")), temperature: 4,
            hardLabelWeight: 0.1, epochs: 1, learningRate: 0.05))),
    ]

    /// The weights after one recipe of `step` on a freshly pre-trained network.
    static func weights(after step: RecipeStep, transform: CountingNoise?) throws -> [Float] {
        let network = ClusteringTestSupport.multilayerPerceptron(hidden: 8, seed: 2)
        let context = ClusteringTestSupport.context(trainingCount: 128)
        _ = try Trainer().train(model: network, on: context.training, configuration: context.fineTuning)
        let model = CompressedModel(network: network)
        let recipe = Recipe(name: "one-step", description: "", fineTuning: FineTuningOverrides(batchSize: 16), steps: [step])
        _ = try RecipeRunner(recipe: recipe).run(
            on: model, training: context.training, validation: context.validation, baseFineTuning: context.fineTuning,
            batchTransform: transform)
        return model.network.parameters.flatMap(\.value.scalars)
    }

    @Test(arguments: trainingSteps.map(\.0))
    func everyTrainingStepTransformsItsBatches(kind: String) throws {
        let step = try #require(Self.trainingSteps.first { $0.0 == kind }).1
        let transform = CountingNoise()
        let augmented = try Self.weights(after: step, transform: transform)
        // 128 samples in batches of 16: 8 batches per epoch, one epoch of fine-tuning.
        #expect(transform.batches == 8, "\(kind) fine-tuned on \(transform.batches) transformed batches")
        #expect(try Self.weights(after: step, transform: CountingNoise()) == augmented, "\(kind) is not reproducible")
        #expect(try Self.weights(after: step, transform: nil) != augmented, "\(kind) ignored the transform")
    }
}
