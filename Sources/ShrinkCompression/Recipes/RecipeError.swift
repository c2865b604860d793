/// Why a recipe could not be read, validated or run. Every message is one line that names the
/// place (`steps[1].weightClustering`) and the problem.
public enum RecipeError: Error, CustomStringConvertible, Equatable {
    /// The file's `version` is newer than this build understands.
    case unsupportedVersion(found: Int, supported: Int)
    /// The JSON does not decode; `path` is where (`steps[1].weightClustering.bits`).
    case malformed(path: String, reason: String)
    /// A step object names no known technique.
    case unknownStepKind(index: Int, kind: String, known: [String])
    /// A step's configuration fails its `validate()`.
    case invalidStep(index: Int, kind: String, reason: String)
    /// The `fineTuning` overrides are out of range.
    case invalidFineTuning(reason: String)
    /// No built-in recipe has this name.
    case unknownBuiltIn(name: String, available: [String])
    /// A step failed while running.
    case stepFailed(index: Int, kind: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedVersion(found, supported):
            "recipe version \(found) is newer than this build supports (\(supported)); update shrink or write a version \(supported) recipe"
        case let .malformed(path, reason):
            path.isEmpty ? "invalid recipe: \(reason)" : "invalid recipe at \(path): \(reason)"
        case let .unknownStepKind(index, kind, known):
            "steps[\(index)]: unknown step kind '\(kind)'; expected one of \(known.joined(separator: ", "))"
        case let .invalidStep(index, kind, reason):
            "steps[\(index)].\(kind): \(reason)"
        case let .invalidFineTuning(reason):
            "fineTuning: \(reason)"
        case let .unknownBuiltIn(name, available):
            "unknown recipe '\(name)': not a built-in (\(available.joined(separator: ", "))) and not a .json file"
        case let .stepFailed(index, kind, reason):
            "steps[\(index)].\(kind) failed: \(reason)"
        }
    }
}
