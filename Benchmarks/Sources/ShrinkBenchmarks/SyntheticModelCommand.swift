import ArgumentParser
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// `shrink-benchmarks synthetic-model`: writes a model file of a benchmark architecture with
/// seeded random weights (fp32), for `shrink bench` and the runtime comparisons on models too
/// large to train here, such as the VGG-16 classifier head.
struct SyntheticModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic-model",
        abstract: "Write a model file with seeded random fp32 weights (vgg16-head: 25088-4096-4096-1000 with ReLUs).")

    /// The architectures this command writes.
    enum Architecture: String, ExpressibleByArgument, CaseIterable {
        case vgg16Head = "vgg16-head"

        var graph: Graph {
            switch self {
            case .vgg16Head:
                var builder = GraphBuilder(name: rawValue, inputShape: [25088])
                var x = builder.add("fc6", LinearOperator(inputFeatures: 25088, outputFeatures: 4096), builder.input)
                x = builder.add("relu6", ReLUOperator(), x)
                x = builder.add("fc7", LinearOperator(inputFeatures: 4096, outputFeatures: 4096), x)
                x = builder.add("relu7", ReLUOperator(), x)
                builder.add("fc8", LinearOperator(inputFeatures: 4096, outputFeatures: 1000), x)
                return builder.finish()
            }
        }
    }

    @Option(help: "The architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var architecture: Architecture = .vgg16Head

    @Option(help: "Where to write the model file.")
    var output: String

    @Option(help: "Seed of the initial (PyTorch default) weights.")
    var seed: UInt64 = 1

    func run() throws {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: architecture.graph, generator: &generator)
        try ModelFile(graph: network.graph, parameters: network.parameters).write(to: output)
        print("Wrote \(output): \(architecture.rawValue), \(network.trainableParameterCount) fp32 weights")
    }
}
