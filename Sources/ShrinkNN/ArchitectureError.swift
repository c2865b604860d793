/// Why an architecture cannot be built into a model.
public enum ArchitectureError: Error, Equatable, CustomStringConvertible {
    /// The architecture's input shape has no dimensions or a non-positive dimension.
    case invalidInputShape(shape: [Int])
    /// The architecture has no layers.
    case noLayers(architecture: String)
    /// Two layers (or two parameters) share a name.
    case duplicateName(String)
    /// A layer's name is empty or contains a dot (dots separate layer and tensor names).
    case invalidLayerName(String)
    /// A hyper-parameter is out of range, e.g. a zero kernel size or a dropout rate of 1.
    case invalidHyperparameter(layer: String, reason: String)
    /// A layer receives a sample shape it cannot accept, e.g. 800 features into a 784-input Linear.
    case incompatibleInputShape(layer: String, expected: String, received: [Int])

    public var description: String {
        switch self {
        case .invalidInputShape(let shape):
            "Invalid input shape \(shape): every dimension must be positive and there must be at least one"
        case .noLayers(let architecture):
            "Architecture '\(architecture)' has no layers"
        case .duplicateName(let name):
            "The name '\(name)' is used more than once; layer and parameter names must be unique"
        case .invalidLayerName(let name):
            "Invalid layer name '\(name)': names must be non-empty and must not contain '.'"
        case .invalidHyperparameter(let layer, let reason):
            "Layer '\(layer)': \(reason)"
        case .incompatibleInputShape(let layer, let expected, let received):
            "Layer '\(layer)' expects \(expected) but receives per-sample shape \(received)"
        }
    }
}
