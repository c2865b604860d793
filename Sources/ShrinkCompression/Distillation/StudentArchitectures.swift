import ShrinkNN

/// Small architectures meant as distillation students, besides the `ModelZoo` ones.
///
/// - `mlp-784-100-10` (input `[1, 28, 28]`): `flatten` → `fc1` 784→100 → `relu1` → `fc2` 100→10.
///   79,510 parameters.
/// - `mlp-784-30-10`: the same with 30 hidden units. 23,860 parameters.
public enum StudentArchitectures {
    /// The catalog's names.
    public static let names = ["mlp-784-100-10", "mlp-784-30-10"]

    /// The architecture with this name from this catalog, else from `ModelZoo`; `nil` if neither
    /// knows it.
    public static func architecture(named name: String) -> ModelArchitecture? {
        switch name {
        case "mlp-784-100-10": return multilayerPerceptron(name: name, hidden: 100)
        case "mlp-784-30-10": return multilayerPerceptron(name: name, hidden: 30)
        default: return try? ModelZoo.architecture(named: name)
        }
    }

    /// Every name `architecture(named:)` resolves.
    public static var allNames: [String] { names + ModelZoo.names.filter { !names.contains($0) } }

    private static func multilayerPerceptron(name: String, hidden: Int) -> ModelArchitecture {
        ModelArchitecture(
            name: name, inputShape: [1, 28, 28],
            layers: [
                NamedLayerSpecification(name: "flatten", layer: .flatten),
                NamedLayerSpecification(name: "fc1", layer: .linear(inputFeatures: 784, outputFeatures: hidden, hasBias: true)),
                NamedLayerSpecification(name: "relu1", layer: .relu),
                NamedLayerSpecification(name: "fc2", layer: .linear(inputFeatures: hidden, outputFeatures: 10, hasBias: true)),
            ])
    }
}
