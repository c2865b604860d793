import ShrinkTraining

/// The recipe `shrink train` uses for a zoo model when the user does not override it: batch 64,
/// SGD with momentum 0.9 and weight decay 5e-4, cosine schedule stepped per batch. The epochs
/// and learning rates are the ones whose results the README reports.
struct TrainingDefaults {
    var epochs: Int
    var learningRate: Float

    /// The configuration `shrink train --model NAME` uses without options (batch 64, SGD
    /// momentum 0.9, weight decay 5e-4, cosine), with `epochs` when given.
    static func configuration(forModel name: String, epochs: Int? = nil, seed: UInt64) -> TrainingConfiguration {
        let defaults = forModel(named: name)
        return TrainingConfiguration(
            epochs: epochs ?? defaults.epochs, batchSize: 64,
            optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: false),
            baseLearningRate: defaults.learningRate, schedule: .cosine(minimum: 0), seed: seed)
    }

    /// How `configuration(forModel:epochs:seed:)` is described in a file's training summary.
    static func optimizerDescription(_ configuration: TrainingConfiguration) -> String {
        "sgd momentum 0.9 weight decay 0.0005, lr \(configuration.baseLearningRate) cosine, batch \(configuration.batchSize)"
    }

    static func forModel(named name: String) -> TrainingDefaults {
        switch name {
        case "lenet-5": TrainingDefaults(epochs: 12, learningRate: 0.02)
        case "resnet-mini": TrainingDefaults(epochs: 4, learningRate: 0.05)
        default: TrainingDefaults(epochs: 20, learningRate: 0.05)
        }
    }
}

/// The optimizers `shrink train` offers.
enum OptimizerName: String, CaseIterable {
    case sgd, adam
}

/// The learning-rate schedules `shrink train` offers.
enum ScheduleName: String, CaseIterable {
    case cosine, step, constant
}
