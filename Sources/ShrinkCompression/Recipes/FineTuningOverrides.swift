import ShrinkTraining

/// The recipe's changes to the base fine-tuning configuration that every step starts from
/// (steps may override epochs and learning rate again). Absent fields keep the base value.
///
/// ```json
/// { "epochs": 3, "learningRate": 0.01, "batchSize": 64,
///   "optimizer": {"sgd": {"momentum": 0.9, "weightDecay": 0.0005, "nesterov": false}},
///   "schedule": {"cosine": {"minimum": 0}}, "seed": 1 }
/// ```
public struct FineTuningOverrides: Codable, Equatable, Sendable {
    public var epochs: Int?
    public var learningRate: Float?
    public var batchSize: Int?
    public var optimizer: OptimizerConfiguration?
    public var schedule: LearningRateSchedule?
    public var seed: UInt64?
    /// When set, every fine-tuning of the recipe (after pruning, during quantization-aware
    /// training and centroid fine-tuning) learns from the model as it was before the recipe (the
    /// teacher) as well as from the labels: knowledge distillation keeps a compressed model's
    /// outputs close to the original's.
    public var distillation: FineTuningDistillation?

    public init(
        epochs: Int? = nil, learningRate: Float? = nil, batchSize: Int? = nil,
        optimizer: OptimizerConfiguration? = nil, schedule: LearningRateSchedule? = nil, seed: UInt64? = nil,
        distillation: FineTuningDistillation? = nil
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.distillation = distillation
    }

    /// `base` with every present field replaced.
    public func applied(to base: TrainingConfiguration) -> TrainingConfiguration {
        var configuration = base
        if let epochs { configuration.epochs = epochs }
        if let learningRate { configuration.baseLearningRate = learningRate }
        if let batchSize { configuration.batchSize = batchSize }
        if let optimizer { configuration.optimizer = optimizer }
        if let schedule { configuration.schedule = schedule }
        if let seed { configuration.seed = seed }
        return configuration
    }

    /// Throws when a present field is out of range.
    public func validate() throws(RecipeError) {
        if let epochs, epochs < 0 { throw .invalidFineTuning(reason: "epochs must not be negative, got \(epochs)") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw .invalidFineTuning(reason: "learningRate must be positive and finite, got \(learningRate)")
        }
        if let batchSize, batchSize < 1 { throw .invalidFineTuning(reason: "batchSize must be at least 1, got \(batchSize)") }
        if let distillation {
            guard distillation.temperature > 0, distillation.temperature.isFinite else {
                throw .invalidFineTuning(reason: "distillation.temperature must be positive and finite, got \(distillation.temperature)")
            }
            guard (0...1).contains(distillation.hardWeight) else {
                throw .invalidFineTuning(reason: "distillation.hardWeight must be within 0...1, got \(distillation.hardWeight)")
            }
        }
        var probe = applied(to: .recipeBase)
        probe.epochs = max(1, probe.epochs)
        do {
            try probe.validate()
        } catch {
            throw .invalidFineTuning(reason: error.description)
        }
    }
}

/// Knowledge distillation during a recipe's fine-tuning: the loss is `hardWeight` × the
/// cross-entropy with the labels plus (1 − `hardWeight`) × T² × the cross-entropy with the
/// teacher's outputs softened at temperature T (`DistillationLoss`).
public struct FineTuningDistillation: Codable, Equatable, Sendable {
    /// The softmax temperature T of the soft term (> 0).
    public var temperature: Float
    /// The weight of the labels' term, in 0...1.
    public var hardWeight: Float

    public init(temperature: Float, hardWeight: Float) {
        self.temperature = temperature
        self.hardWeight = hardWeight
    }
}

extension TrainingConfiguration {
    /// The fine-tuning configuration recipes start from before their `fineTuning` overrides:
    /// 2 epochs, batch 64, SGD with momentum 0.9 and weight decay 5e-4, learning rate 0.01,
    /// cosine schedule, seed 1.
    public static let recipeBase = TrainingConfiguration(
        epochs: 2, batchSize: 64, optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: false),
        baseLearningRate: 0.01, schedule: .cosine(minimum: 0), seed: 1)
}
