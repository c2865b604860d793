/// Why a measurement could not be made.
public enum MeasurementError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Two parallel arrays (e.g. predictions and labels) differ in length.
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// A class index lies outside `0..<classCount`.
    case classOutOfRange(what: String, index: Int, value: Int, classCount: Int)
    /// A count or size argument is not valid (e.g. a non-positive class count).
    case invalidArgument(name: String, reason: String)
    /// A statistic was asked of an empty sample.
    case emptySample(statistic: String)
    /// A file could not be read or parsed.
    case fileError(path: String, reason: String)
    /// A child process could not be started or waited for.
    case processError(executable: String, reason: String)

    public var description: String {
        switch self {
        case .lengthMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected) elements, got \(actual)"
        case .classOutOfRange(let what, let index, let value, let classCount):
            return "\(what)[\(index)] = \(value) is outside the classes 0..<\(classCount)"
        case .invalidArgument(let name, let reason):
            return "invalid \(name): \(reason)"
        case .emptySample(let statistic):
            return "cannot compute the \(statistic) of an empty sample"
        case .fileError(let path, let reason):
            return "\(path): \(reason)"
        case .processError(let executable, let reason):
            return "\(executable): \(reason)"
        }
    }
}
