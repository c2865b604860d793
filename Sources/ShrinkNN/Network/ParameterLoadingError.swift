import ShrinkTensor

/// Why a set of named tensors cannot be loaded into a model.
public enum ParameterLoadingError: Error, Equatable, CustomStringConvertible {
    /// Parameters of the model with no tensor of that name (sorted).
    case missingTensors([String])
    /// Tensors whose names match no parameter of the model (sorted).
    case unexpectedTensors([String])
    /// A tensor whose shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], received: [Int])

    public var description: String {
        switch self {
        case .missingTensors(let names):
            "Missing tensors for parameters: \(names.joined(separator: ", "))"
        case .unexpectedTensors(let names):
            "Tensors match no parameter of the model: \(names.joined(separator: ", "))"
        case .shapeMismatch(let name, let expected, let received):
            "Tensor '\(name)' has shape \(received), but the parameter has shape \(expected)"
        }
    }
}
