/// Why weight clustering could not be configured or run.
public enum WeightClusteringError: Error, Equatable, CustomStringConvertible {
    /// A bit width outside 1...16 (palette indices are 16-bit), with where it was set.
    case invalidBits(bits: Int, setting: String)
    /// A setting out of range.
    case invalidSetting(name: String, value: String, expected: String)
    /// No weight layer of the model resolved to a bit width (all skipped or no default).
    case noLayersSelected(available: [String])
    /// A weight to cluster is NaN or infinite.
    case nonFiniteWeight(parameter: String)
    /// The parameter has a mask that does not match its shape.
    case maskShapeMismatch(parameter: String, mask: [Int], value: [Int])
    /// Fine-tuning failed.
    case fineTuningFailed(reason: String)

    public var description: String {
        switch self {
        case let .invalidBits(bits, setting):
            "weight clustering: \(setting) has \(bits) bits, expected 1...16"
        case let .invalidSetting(name, value, expected):
            "weight clustering: \(name) = \(value) is invalid, expected \(expected)"
        case let .noLayersSelected(available):
            "weight clustering: no layer resolves to a bit width (weight layers: \(available.joined(separator: ", "))); set a default or per-layer bits"
        case let .nonFiniteWeight(parameter):
            "weight clustering: \(parameter) has a NaN or infinite weight"
        case let .maskShapeMismatch(parameter, mask, value):
            "weight clustering: the mask of \(parameter) has shape \(mask), the parameter \(value)"
        case let .fineTuningFailed(reason):
            "weight clustering: centroid fine-tuning failed: \(reason)"
        }
    }
}
