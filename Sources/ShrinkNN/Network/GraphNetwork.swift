import ShrinkTensor

/// A graph made trainable: one `Parameter` per weight its ops declare (named
/// `<node>.<weight>`), one kernel per node, forward in topological order and backward in
/// reverse, with gradients summed where a value fans out to several nodes.
///
/// Single-input, single-output graphs are also a `Layer`, so the `Trainer` and `Evaluator`
/// run them like any model; `forward(_:mode:)` reshapes an input with the right number of
/// elements per sample (such as `[batch, 784]` for a `[1, 28, 28]` model).
public final class GraphNetwork: Layer {
    /// The validated graph with every op and shape.
    public let resolved: ResolvedGraph
    /// Every node's weights, in node order then declaration order.
    public let parameters: [Parameter]
    /// The kernels, by node index.
    private let kernels: [any OperatorKernel]
    /// The parameters of each node, by node index.
    private let nodeParameters: [[Parameter]]
    private let parametersByName: [String: Parameter]
    /// For each value, the index of the last node that reads it (computed once: every forward
    /// pass releases values by it).
    private let lastUses: [String: Int]
    /// Rectifier nodes fused into the batch normalization they read, by rectifier node index:
    /// the normalization's only reader is the rectifier, so the normalization clamps its own
    /// output (`BatchNormalization2D.rectifiesOutput`, one pass over memory instead of two, and
    /// its backward masks the gradient) and the rectifier node passes values and gradients on.
    private let fusedRectifiers: [Int: Int]

    /// Builds the network with fresh initial weights, drawn from `generator` in node order (each
    /// op's `initialWeights`, then its kernel's own seed if it has one).
    /// - Throws: `GraphError` when the graph is invalid.
    public convenience init(graph: Graph, registry: OperatorRegistry = .standard,
                generator: inout SeededRandomNumberGenerator) throws(GraphError) {
        let resolved = try ResolvedGraph(graph, registry: registry)
        var kernels = [any OperatorKernel](), nodeParameters = [[Parameter]]()
        for (index, node) in resolved.graph.nodes.enumerated() {
            let op = resolved.operators[index]
            let declarations = op.weights
            let values = op.initialWeights(generator: &generator)
            precondition(values.count == declarations.count && zip(values, declarations).allSatisfy { $0.shape == $1.shape },
                         "\(op.typeName).initialWeights does not match its weight declarations")
            let owned = zip(declarations, values).map { declaration, value in
                Parameter(name: node.weightName(declaration.name), value: value, kind: declaration.kind)
            }
            kernels.append(op.makeKernel(name: node.name, weights: owned, generator: &generator))
            nodeParameters.append(owned)
        }
        self.init(resolved: resolved, nodeParameters: nodeParameters, kernels: kernels)
    }

    /// A network from its parts: the parameters and kernel of every node.
    init(resolved: ResolvedGraph, nodeParameters: [[Parameter]], kernels: [any OperatorKernel]) {
        self.resolved = resolved
        self.nodeParameters = nodeParameters
        self.kernels = kernels
        parameters = nodeParameters.flatMap { $0 }
        parametersByName = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        lastUses = resolved.graph.lastUses
        fusedRectifiers = Self.fuseRectifiers(graph: resolved.graph, kernels: kernels)
    }

    /// Finds batch normalizations (plain kernels, not wrapped ones) read only by a plain
    /// rectifier, not graph outputs, switches them to `rectifiesOutput`, and returns the pairs
    /// by rectifier node index.
    private static func fuseRectifiers(graph: Graph, kernels: [any OperatorKernel]) -> [Int: Int] {
        var readers = [String: [Int]]()
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs { readers[input, default: []].append(index) }
        }
        var fused = [Int: Int]()
        for (index, node) in graph.nodes.enumerated() {
            guard let normalization = (kernels[index] as? SingleInputKernel)?.layer as? BatchNormalization2D,
                  node.outputs.count == 1, !graph.outputs.contains(node.outputs[0]),
                  let nodeReaders = readers[node.outputs[0]], nodeReaders.count == 1,
                  (kernels[nodeReaders[0]] as? SingleInputKernel)?.layer is ReLU,
                  graph.nodes[nodeReaders[0]].inputs == [node.outputs[0]],
                  graph.nodes[nodeReaders[0]].outputs.count == 1 else { continue }
            normalization.rectifiesOutput = true
            fused[nodeReaders[0]] = index
        }
        return fused
    }

    /// The graph (nodes in topological order).
    public var graph: Graph { resolved.graph }

    /// The model's name, the graph's (`lenet-5`).
    public var name: String { graph.name }

    /// The parameters an optimizer updates (everything but buffers).
    public var trainableParameters: [Parameter] { parameters.filter { $0.kind == .trainable } }

    /// The number of trainable scalars.
    public var trainableParameterCount: Int { trainableParameters.reduce(0) { $0 + $1.value.count } }

    /// The parameter or buffer with this full name (`fc1.weight`), if any.
    public func parameter(named name: String) -> Parameter? { parametersByName[name] }

    /// The parameters of the node at `index`, in its op's declaration order.
    public func parameters(ofNode index: Int) -> [Parameter] { nodeParameters[index] }

    /// The kernel that runs the node at `index` (for inspection; wrappers expose their settings).
    public func kernel(ofNode index: Int) -> any OperatorKernel { kernels[index] }

    /// The per-sample shape of the first input (`[1, 28, 28]`).
    public var sampleInputShape: [Int] { resolved.sampleInputShape ?? [] }

    /// The per-sample shape of the first output (`[10]`).
    public var sampleOutputShape: [Int] { resolved.sampleOutputShape ?? [] }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// Runs the graph on named inputs, returning every graph output by name. Intermediate
    /// values are released as soon as their last reader has run.
    public func forward(inputs: [String: Tensor], mode: ForwardMode) -> [String: Tensor] {
        var values = [String: Tensor]()
        for input in graph.inputs {
            guard let tensor = inputs[input.name] else { preconditionFailure("Graph '\(name)': missing input '\(input.name)'") }
            values[input.name] = tensor
        }
        for (index, node) in graph.nodes.enumerated() {
            if fusedRectifiers[index] != nil {
                values[node.outputs[0]] = values[node.inputs[0]]  // rectified by the normalization
            } else {
                let outputs = kernels[index].forward(node.inputs.map { values[$0]! }, mode: mode)
                for (name, value) in zip(node.outputs, outputs) { values[name] = value }
            }
            for input in node.inputs where lastUses[input] == index { values[input] = nil }
        }
        return values.filter { graph.outputs.contains($0.key) }
    }

    /// Back-propagates through the last training forward pass: `outputGradients` by output
    /// name (a missing output counts as zero gradient), weight gradients **added** into the
    /// parameters, and the gradients of the graph inputs named in `inputGradients` returned.
    public func backward(outputGradients: [String: Tensor], inputGradients: Set<String> = []) -> [String: Tensor] {
        var gradients = outputGradients
        // Values whose gradient anyone needs: inputs of nodes that lead to a needed gradient.
        let needed = neededGradients(requestedInputs: inputGradients)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            guard node.outputs.contains(where: { gradients[$0] != nil }) else { continue }
            if fusedRectifiers[index] != nil {
                // The normalization masks the gradient itself.
                gradients[node.inputs[0]] = gradients.removeValue(forKey: node.outputs[0])
                continue
            }
            let outputGradients = node.outputs.map { name -> Tensor in
                gradients.removeValue(forKey: name) ?? Tensor(zeros: resolvedShape(of: name, like: gradients))
            }
            let needs = node.inputs.map { needed.contains($0) }
            let inputGradients = kernels[index].backward(outputGradients, needsInputGradients: needs)
            for (position, input) in node.inputs.enumerated() where needs[position] {
                guard let gradient = inputGradients[position] else { continue }
                if let existing = gradients[input] {
                    gradients[input] = existing.adding(gradient)
                } else {
                    gradients[input] = gradient
                }
            }
        }
        return gradients.filter { inputGradients.contains($0.key) }
    }

    /// The values whose gradient backward must compute: every node input that is produced by a
    /// node with weights upstream, or a requested graph input.
    private func neededGradients(requestedInputs: Set<String>) -> Set<String> {
        // A value needs a gradient when some weight or requested input lies upstream of it.
        var dependsOnTrainable = Set<String>(requestedInputs)
        for (index, node) in graph.nodes.enumerated() {
            let hasWeights = !nodeParameters[index].isEmpty
            if hasWeights || node.inputs.contains(where: dependsOnTrainable.contains) {
                for output in node.outputs { dependsOnTrainable.insert(output) }
            }
        }
        return dependsOnTrainable
    }

    /// The shape of an output with no gradient: found from the gradient of a sibling's batch.
    private func resolvedShape(of value: String, like gradients: [String: Tensor]) -> [Int] {
        let batch = gradients.values.first?.shape.first ?? 1
        return resolved.shapes[value]?.concrete(["batch": batch]) ?? []
    }

    // MARK: Layer (single input, single output)

    /// Runs a single-input graph on `input`, reshaped to `[batch] + sampleInputShape` when it
    /// has that many elements per sample, returning its first output.
    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        let sampleSize = sampleInputShape.reduce(1, *)
        precondition(graph.inputs.count == 1, "Graph '\(name)' has \(graph.inputs.count) inputs; use forward(inputs:mode:)")
        precondition(input.rank >= 1 && input.shape.dropFirst().reduce(1, *) == sampleSize,
                     "Model '\(name)' expects [batch] + \(sampleInputShape), got \(input.shape)")
        let expectedShape = [input.shape[0]] + sampleInputShape
        let shaped = input.shape == expectedShape ? input : input.reshaped(expectedShape)
        return forward(inputs: [graph.inputs[0].name: shaped], mode: mode)[graph.outputs[0]]!
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        let inputName = graph.inputs[0].name
        let gradients = backward(outputGradients: [graph.outputs[0]: outputGradient],
                                 inputGradients: needsInputGradient ? [inputName] : [])
        return needsInputGradient ? gradients[inputName] : nil
    }
}
