import ShrinkTensor

extension GraphNetwork {
    /// Builds the network for `graph` with the given weights (a model file's tensors).
    /// - Throws: `GraphError` for an invalid graph, `ParameterLoadingError` for missing,
    ///   unexpected or mis-shaped tensors.
    public convenience init(graph: Graph, tensors: [String: Tensor], registry: OperatorRegistry = .standard) throws {
        // Initial draws are overwritten by the tensors; the seed does not matter.
        var generator = SeededRandomNumberGenerator(seed: 0)
        try self.init(graph: graph, registry: registry, generator: &generator)
        try loadParameters(tensors)
    }

    /// Every parameter and buffer value by full name (what a model file stores).
    public var namedTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
    }

    /// Sets every parameter and buffer from `tensors`, by full name.
    ///
    /// All checks happen before anything changes: on error the model is untouched.
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

extension GraphNetwork {
    /// A network over the same graph and the **same `Parameter` objects** as `base`, with fresh
    /// kernels that `wrap` may replace (quantization simulation, fake-quantized training,
    /// activation observers). Training it trains `base`'s weights.
    /// - Parameter wrap: receives each node, its parameters and its fresh kernel; returns a
    ///   replacement kernel or nil to keep it.
    public convenience init(
        sharingParametersOf base: GraphNetwork,
        wrapping wrap: (_ node: Node, _ parameters: [Parameter], _ kernel: any OperatorKernel) throws -> (any OperatorKernel)?
    ) rethrows {
        var generator = SeededRandomNumberGenerator(seed: 0)
        var kernels = [any OperatorKernel]()
        for (index, node) in base.graph.nodes.enumerated() {
            let parameters = base.parameters(ofNode: index)
            let kernel = base.resolved.operators[index].makeKernel(name: node.name, weights: parameters, generator: &generator)
            kernels.append(try wrap(node, parameters, kernel) ?? kernel)
        }
        self.init(resolved: base.resolved, nodeParameters: (0..<base.graph.nodes.count).map(base.parameters(ofNode:)), kernels: kernels)
    }
}
