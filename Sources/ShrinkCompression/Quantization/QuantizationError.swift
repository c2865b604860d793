/// Why a quantization setting, range or step could not be used.
public enum QuantizationError: Error, CustomStringConvertible, Equatable {
    /// A configuration value is out of range; `reason` says what is allowed.
    case invalidSetting(name: String, value: String, reason: String)
    /// A range to quantize has a non-finite or inverted bound.
    case invalidRange(minimum: Float, maximum: Float)
    /// An observer was asked for a range before it saw any finite value.
    case noObservations(observer: String)
    /// A per-channel axis is outside the tensor's dimensions.
    case invalidAxis(axis: Int, shape: [Int])
    /// A layer the configuration names cannot be quantized (it has no weight).
    case unsupportedLayer(name: String, type: String)
    /// The training data cannot provide the requested calibration batches.
    case emptyCalibrationSet
    /// Fine-tuning with fake quantization failed.
    case trainingFailed(message: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, reason):
            "invalid quantization setting \(name) = \(value): \(reason)"
        case let .invalidRange(minimum, maximum):
            "cannot quantize the range [\(minimum), \(maximum)]: bounds must be finite and minimum <= maximum"
        case let .noObservations(observer):
            "the \(observer) observer saw no finite values: run calibration batches first"
        case let .invalidAxis(axis, shape):
            "per-channel axis \(axis) is outside a tensor of shape \(shape)"
        case let .unsupportedLayer(name, type):
            "layer '\(name)' of type \(type) has no weight to quantize"
        case .emptyCalibrationSet:
            "the training set is empty: calibration needs at least one batch"
        case let .trainingFailed(message):
            "quantization-aware fine-tuning failed: \(message)"
        }
    }
}
