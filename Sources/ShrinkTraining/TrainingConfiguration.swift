/// Everything that determines a training run besides the model and the data.
///
/// Runs with equal configurations, equal initial models and equal data produce identical
/// parameters (the thread count does not change results of the training module itself).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The number of passes over the training set.
    public var epochs: Int
    /// Samples per mini-batch; the last batch of an epoch may be smaller.
    public var batchSize: Int
    public var optimizer: OptimizerConfiguration
    /// The learning rate the schedule starts from.
    public var baseLearningRate: Float
    public var schedule: LearningRateSchedule
    /// The seed of the per-epoch shuffles.
    public var seed: UInt64

    public init(
        epochs: Int, batchSize: Int, optimizer: OptimizerConfiguration, baseLearningRate: Float,
        schedule: LearningRateSchedule = .constant, seed: UInt64
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.baseLearningRate = baseLearningRate
        self.schedule = schedule
        self.seed = seed
    }

    /// Throws if a setting is out of range.
    public func validate() throws(TrainingError) {
        guard epochs >= 0 else { throw .invalidSetting(name: "epochs", value: "\(epochs)") }
        guard batchSize > 0 else { throw .invalidSetting(name: "batchSize", value: "\(batchSize)") }
        guard baseLearningRate >= 0, baseLearningRate.isFinite else {
            throw .invalidSetting(name: "baseLearningRate", value: "\(baseLearningRate)")
        }
        try optimizer.validate()
        try Self.validate(schedule)
    }

    private static func validate(_ schedule: LearningRateSchedule) throws(TrainingError) {
        switch schedule {
        case .constant:
            break
        case let .step(stepSize, gamma):
            guard stepSize > 0 else { throw .invalidSetting(name: "schedule.stepSize", value: "\(stepSize)") }
            guard gamma >= 0, gamma.isFinite else { throw .invalidSetting(name: "schedule.gamma", value: "\(gamma)") }
        case let .cosine(minimum):
            guard minimum >= 0, minimum.isFinite else {
                throw .invalidSetting(name: "schedule.minimum", value: "\(minimum)")
            }
        case let .warmup(steps, then):
            guard steps >= 0 else { throw .invalidSetting(name: "schedule.warmup.steps", value: "\(steps)") }
            try validate(then)
        }
    }
}
