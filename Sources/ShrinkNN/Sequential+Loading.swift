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

extension Sequential {
    /// Every parameter and buffer value by full name (what a model file stores).
    public var namedTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
    }

    /// Sets every parameter and buffer from `tensors`, by full name.
    ///
    /// All checks happen before anything changes: on error the model is untouched. Gradients
    /// are kept (call `zeroGradients()` before training).
    /// - Throws: `ParameterLoadingError` when a parameter has no tensor, a tensor has no
    ///   parameter, or shapes differ.
    public func loadParameters(_ tensors: [String: Tensor]) throws(ParameterLoadingError) {
        let missing = parameters.map(\.name).filter { tensors[$0] == nil }
        guard missing.isEmpty else { throw .missingTensors(missing.sorted()) }
        let unexpected = tensors.keys.filter { parameter(named: $0) == nil }
        guard unexpected.isEmpty else { throw .unexpectedTensors(unexpected.sorted()) }
        for parameter in parameters {
            let tensor = tensors[parameter.name]!
            guard tensor.shape == parameter.value.shape else {
                throw .shapeMismatch(name: parameter.name, expected: parameter.value.shape, received: tensor.shape)
            }
        }
        for parameter in parameters { parameter.value = tensors[parameter.name]! }
    }
}
