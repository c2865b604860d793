import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Finite-difference gradient checks of whole graphs (and so of single ops): compares
/// `GraphNetwork.backward` against double-sided differences of `Σ_outputs Σ output ⊙ R` for
/// fixed random `R`, with respect to every graph input and every trainable weight.
enum GraphGradientChecking {
    /// A one-node graph of `op` over inputs named `x0`, `x1`, … of the given batched shapes.
    static func singleNodeGraph(_ op: some Operator, inputShapes: [[Int]]) -> Graph {
        let inputs = inputShapes.enumerated().map { ValueInfo(name: "x\($0.offset)", shape: .batched(Array($0.element.dropFirst()))) }
        let outputs = op.outputCount == 1 ? ["y"] : (0..<op.outputCount).map { "y\($0)" }
        return Graph(name: "single", inputs: inputs, outputs: outputs,
                     nodes: [Node(name: "node", operatorType: op.typeName, inputs: inputs.map(\.name), outputs: outputs,
                                  attributes: op.attributes)])
    }

    /// Checks `op` alone on random inputs of `inputShapes` (batch first); `configure` may set
    /// the network's weights first.
    static func check(
        _ op: some Operator, inputShapes: [[Int]], seed: UInt64 = 7, epsilon: Float = 1e-2, tolerance: Double = 1e-2,
        registry: OperatorRegistry = .standard, configure: (GraphNetwork) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try check(graph: singleNodeGraph(op, inputShapes: inputShapes), inputShapes: inputShapes, seed: seed,
                  epsilon: epsilon, tolerance: tolerance, registry: registry, configure: configure, sourceLocation: sourceLocation)
    }

    /// Checks every input and weight gradient of `graph` on random inputs (one shape per
    /// graph input, batch first). Inputs are drawn from N(0, 1); ops with kinks (ReLU, max)
    /// may need a seed whose inputs stay away from them. `configure` may set the network's
    /// weights before the check (a divisor away from zero).
    static func check(
        graph: Graph, inputShapes: [[Int]], seed: UInt64 = 7, epsilon: Float = 1e-2, tolerance: Double = 1e-2,
        registry: OperatorRegistry = .standard, configure: (GraphNetwork) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: graph, registry: registry, generator: &generator)
        configure(network)
        var inputs = [String: Tensor]()
        for (info, shape) in zip(network.graph.inputs, inputShapes) {
            inputs[info.name] = Tensor.randomNormal(shape: shape, using: &generator)
        }
        let outputs = network.forward(inputs: inputs, mode: .training)
        var projections = [String: Tensor]()
        for name in network.graph.outputs.sorted() {
            projections[name] = Tensor.randomNormal(shape: outputs[name]!.shape, using: &generator)
        }
        func loss(_ inputs: [String: Tensor]) -> Double {
            let outputs = network.forward(inputs: inputs, mode: .training)
            var sum = 0.0
            for (name, projection) in projections {
                for (value, weight) in zip(outputs[name]!.scalars, projection.scalars) { sum += Double(value) * Double(weight) }
            }
            return sum
        }
        // Analytic gradients from the first forward pass.
        network.zeroGradients()
        _ = network.forward(inputs: inputs, mode: .training)
        let inputGradients = network.backward(outputGradients: projections, inputGradients: Set(inputs.keys))
        let trainable = network.trainableParameters
        let weightGradients = trainable.map(\.gradient)

        func compare(_ analytic: Tensor?, numeric: [Double], what: String) {
            let largest = numeric.map(abs).max() ?? 0
            guard let analytic else {
                #expect(largest < tolerance, "\(what): no analytic gradient, numeric max \(largest)", sourceLocation: sourceLocation)
                return
            }
            #expect(analytic.count == numeric.count, "\(what): gradient size", sourceLocation: sourceLocation)
            for (index, (a, n)) in zip(analytic.scalars.map(Double.init), numeric).enumerated() {
                let scale = max(abs(a), abs(n))
                let ok = abs(a - n) <= tolerance * scale + tolerance * largest + 1e-6
                #expect(ok, "\(what)[\(index)]: analytic \(a), numeric \(n)", sourceLocation: sourceLocation)
                if !ok { return }
            }
        }

        for name in inputs.keys.sorted() {
            var perturbed = inputs
            var numeric = [Double](repeating: 0, count: inputs[name]!.count)
            for index in numeric.indices {
                let original = inputs[name]!.scalars[index]
                perturbed[name]!.scalars[index] = original + epsilon
                let plus = loss(perturbed)
                perturbed[name]!.scalars[index] = original - epsilon
                let minus = loss(perturbed)
                perturbed[name]!.scalars[index] = original
                numeric[index] = (plus - minus) / (2 * Double(epsilon))
            }
            compare(inputGradients[name], numeric: numeric, what: "input \(name)")
        }
        for (parameter, analytic) in zip(trainable, weightGradients) {
            var numeric = [Double](repeating: 0, count: parameter.value.count)
            for index in numeric.indices {
                let original = parameter.value.scalars[index]
                parameter.value.scalars[index] = original + epsilon
                let plus = loss(inputs)
                parameter.value.scalars[index] = original - epsilon
                let minus = loss(inputs)
                parameter.value.scalars[index] = original
                numeric[index] = (plus - minus) / (2 * Double(epsilon))
            }
            compare(analytic, numeric: numeric, what: parameter.name)
        }
    }
}
