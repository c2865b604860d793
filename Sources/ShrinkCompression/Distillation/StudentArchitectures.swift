import ShrinkNN

/// Small graphs meant as distillation students, besides the `ModelZoo` ones.
///
/// - `mlp-784-100-10` (input `[1, 28, 28]`): `flatten` → `fc1` 784→100 → `relu1` → `fc2` 100→10.
///   79,510 parameters.
/// - `mlp-784-30-10`: the same with 30 hidden units. 23,860 parameters.
public enum StudentArchitectures {
    /// The catalog's names.
    public static let names = ["mlp-784-100-10", "mlp-784-30-10"]

    /// The graph with this name from this catalog, else from `ModelZoo`; `nil` if neither knows it.
    public static func graph(named name: String) -> Graph? {
        switch name {
        case "mlp-784-100-10": return multilayerPerceptron(name: name, hidden: 100)
        case "mlp-784-30-10": return multilayerPerceptron(name: name, hidden: 30)
        default: return try? ModelZoo.graph(named: name)
        }
    }

    /// Every name `graph(named:)` resolves.
    public static var allNames: [String] { names + ModelZoo.names.filter { !names.contains($0) } }

    private static func multilayerPerceptron(name: String, hidden: Int) -> Graph {
        var builder = GraphBuilder(name: name, inputShape: [1, 28, 28])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 784, outputFeatures: hidden), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: hidden, outputFeatures: 10), x)
        return builder.finish()
    }
}
