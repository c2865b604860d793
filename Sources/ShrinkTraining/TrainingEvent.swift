/// Progress reported by `Trainer` while it runs.
public enum TrainingEvent: Sendable {
    /// One optimizer step finished. Sent for every batch; observers throttle their output.
    /// `epoch` and `batch` are 1-based; `loss` is the batch's mean loss.
    case batchFinished(epoch: Int, batch: Int, batchCount: Int, loss: Float)
    /// An epoch (training and, if requested, validation) finished.
    case epochFinished(EpochSummary)
}

/// The outcome of one training epoch.
public struct EpochSummary: Codable, Equatable, Sendable {
    /// 1-based epoch number within the run.
    public var epoch: Int
    /// The mean training loss over the epoch's samples (each batch's loss weighted by its size).
    public var trainingLoss: Double
    /// The fraction of training samples whose training-mode output had the label as its argmax
    /// (measured on the fly while the weights changed, as is customary).
    public var trainingAccuracy: Double
    /// The validation result after the epoch, if a validation set was given.
    public var validationTop1Accuracy: Double?
    public var validationTop5Accuracy: Double?
    public var validationLoss: Double?
    /// The learning rate of the epoch's last optimizer step.
    public var learningRate: Float
    /// Wall-clock seconds of the training passes (forward, backward, optimizer steps).
    public var trainingSeconds: Double
    /// Wall-clock seconds of the validation pass (0 without a validation set).
    public var evaluationSeconds: Double

    public init(
        epoch: Int, trainingLoss: Double, trainingAccuracy: Double,
        validationTop1Accuracy: Double?, validationTop5Accuracy: Double?, validationLoss: Double?,
        learningRate: Float, trainingSeconds: Double, evaluationSeconds: Double
    ) {
        self.epoch = epoch
        self.trainingLoss = trainingLoss
        self.trainingAccuracy = trainingAccuracy
        self.validationTop1Accuracy = validationTop1Accuracy
        self.validationTop5Accuracy = validationTop5Accuracy
        self.validationLoss = validationLoss
        self.learningRate = learningRate
        self.trainingSeconds = trainingSeconds
        self.evaluationSeconds = evaluationSeconds
    }
}

/// The per-epoch summaries of one training run, in order.
public struct TrainingHistory: Codable, Equatable, Sendable {
    public var epochs: [EpochSummary]

    public init(epochs: [EpochSummary] = []) {
        self.epochs = epochs
    }

    /// The last epoch's summary, if any epoch ran.
    public var last: EpochSummary? { epochs.last }
}
