import ShrinkData
import ShrinkNN
import ShrinkTraining

/// Fine-tuning shared by the pruning steps: the context's base configuration with the step's
/// overrides, the model's masks enforced after every optimizer step, epochs reported as progress.
enum PruningFineTuning {
    /// Throws when an override is out of range.
    static func validate(epochs: Int?, learningRate: Float?) throws(PruningError) {
        if let epochs, epochs < 0 { throw .invalidFineTuning(reason: "fineTuneEpochs must not be negative, got \(epochs)") }
        if let learningRate, !(learningRate >= 0 && learningRate.isFinite) {
            throw .invalidFineTuning(reason: "learningRate must be finite and not negative, got \(learningRate)")
        }
    }

    /// The base configuration with the overrides applied.
    static func configuration(base: TrainingConfiguration, epochs: Int?, learningRate: Float?) -> TrainingConfiguration {
        var configuration = base
        if let epochs { configuration.epochs = epochs }
        if let learningRate { configuration.baseLearningRate = learningRate }
        return configuration
    }

    /// The number of optimizer steps of a fine-tuning run.
    static func totalSteps(configuration: TrainingConfiguration, training: LabeledDataset) -> Int {
        guard configuration.batchSize > 0 else { return 0 }
        return (training.count + configuration.batchSize - 1) / configuration.batchSize * configuration.epochs
    }

    /// Fine-tunes `model.network` on the context's training data, keeping the context's
    /// constraints (the masks recorded so far) plus `extraConstraints`; does nothing for 0 epochs.
    static func run(
        model: CompressedModel, context: CompressionContext, configuration: TrainingConfiguration,
        extraConstraints: [any ParameterConstraint] = [], stepKind: String
    ) throws(PruningError) {
        guard configuration.epochs > 0 else { return }
        let trainer = context.trainer(constraints: context.constraints(for: model) + extraConstraints)
        do {
            try trainer.train(
                model: model.network, on: context.training, validation: context.validation,
                configuration: configuration
            ) { event in
                if case .epochFinished(let summary) = event {
                    context.progress(.fineTuningEpoch(step: stepKind, summary: summary))
                }
            }
        } catch {
            throw .fineTuningFailed(error)
        }
    }
}
