/// Why a training run could not start or had to stop.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A configuration value is out of range.
    case invalidSetting(name: String, value: String)
    /// The training set has no samples.
    case emptyDataset
    /// The validation set's sample shape or class count differs from the training set's.
    case mismatchedValidationSet(trainingShape: [Int], validationShape: [Int], trainingClasses: Int, validationClasses: Int)
    /// The model's output is not `[batch, classCount]`.
    case unexpectedOutputShape(expected: [Int], actual: [Int])
    /// The loss became NaN or infinite: training diverged.
    case nonFiniteLoss(epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value):
            "invalid training setting \(name) = \(value)"
        case .emptyDataset:
            "the training set is empty"
        case let .mismatchedValidationSet(trainingShape, validationShape, trainingClasses, validationClasses):
            "validation samples \(validationShape) with \(validationClasses) classes do not match training samples \(trainingShape) with \(trainingClasses) classes"
        case let .unexpectedOutputShape(expected, actual):
            "the model output has shape \(actual), expected \(expected)"
        case let .nonFiniteLoss(epoch, batch):
            "the loss became non-finite in epoch \(epoch), batch \(batch): training diverged (lower the learning rate)"
        }
    }
}
