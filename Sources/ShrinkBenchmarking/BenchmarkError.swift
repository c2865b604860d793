/// Why a benchmark could not be made.
public enum BenchmarkError: Error, CustomStringConvertible, Equatable {
    /// A configuration value is out of range.
    case invalidConfiguration(name: String, reason: String)
    /// The model file cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The test set's samples do not fit the model's input.
    case datasetMismatch(expectedSample: [Int], got: [Int])
    /// The memory probe child failed or printed something unreadable.
    case probeFailed(reason: String)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .invalidConfiguration(name, reason): "invalid benchmark setting \(name): \(reason)"
        case let .unreadableFile(path, reason): "cannot read model file \(path): \(reason)"
        case let .datasetMismatch(expected, got):
            "the test samples have shape \(got) but the model expects \(expected)"
        case let .probeFailed(reason): "memory probe failed: \(reason)"
        }
    }
}
