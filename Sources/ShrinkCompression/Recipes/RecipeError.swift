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
    /// The file is not well-formed JSON; `line` and `column` (1-based) are where reading stopped.
    case invalidJSON(line: Int, column: Int, reason: String)
    /// An object holds a key no setting has (`closest` is the nearest valid key, if any is near;
    /// `valid` are the object's valid keys).
    case unknownKey(path: String, key: String, closest: String?, valid: [String])
    /// A per-layer pattern or skip entry at `path` matches no layer (node with weights) of the model.
    case unmatchedPattern(path: String, pattern: String, model: String, closest: String?, layers: [String])
    /// A recipe file carries a built-in recipe's name but different settings.
    case editedBuiltIn(name: String)

    public var description: String {
        switch self {
        case let .unsupportedVersion(found, supported):
            "recipe version \(found) is newer than this build supports (\(supported)); update shrink or write a version \(supported) recipe"
        case let .malformed(path, reason):
            path.isEmpty ? "invalid recipe: \(reason)" : "invalid recipe at \(path): \(reason)"
        case let .unknownStepKind(index, kind, known):
            "steps[\(index)]: unknown step kind '\(kind)'"
                + (NameSuggestion.closest(to: kind, among: known).map { "; did you mean '\($0)'?" } ?? "")
                + " (expected one of \(known.joined(separator: ", ")))"
        case let .invalidStep(index, kind, reason):
            "steps[\(index)].\(kind): \(reason)"
        case let .invalidFineTuning(reason):
            "fineTuning: \(reason)"
        case let .unknownBuiltIn(name, available):
            "unknown recipe '\(name)': not a built-in (\(available.joined(separator: ", "))) and not a .json file"
        case let .stepFailed(index, kind, reason):
            "steps[\(index)].\(kind) failed: \(reason)"
        case let .invalidJSON(line, column, reason):
            "invalid recipe: not valid JSON at line \(line), column \(column): \(reason)"
        case let .unknownKey(path, key, closest, valid):
            (path.isEmpty ? "invalid recipe: " : "invalid recipe at \(path): ") + "unknown key '\(key)'"
                + (closest.map { "; did you mean '\($0)'?" } ?? (valid.isEmpty ? "" : "; expected one of \(valid.joined(separator: ", "))"))
        case let .unmatchedPattern(path, pattern, model, closest, layers):
            "recipe \(path) '\(pattern)' matches no layer of \(model)"
                + (closest.map { "; did you mean '\($0)'?" } ?? "") + " (layers with weights: \(layers.joined(separator: ", ")))"
        case let .editedBuiltIn(name):
            "the recipe file is named '\(name)' like the built-in recipe but its settings differ; "
                + "give the edited recipe its own \"name\" (e.g. \"\(name)-edited\") so its results are not taken for the built-in's"
        }
    }
}
