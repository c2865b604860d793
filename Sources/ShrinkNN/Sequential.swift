import ShrinkTensor

/// A feed-forward model: layers built from a `ModelArchitecture` and run in order.
///
/// The architecture is validated at construction: layer names are unique, non-empty and free
/// of dots, hyper-parameters are in range, and each layer accepts the previous layer's output
/// shape (e.g. a flatten of 800 values feeding a Linear with 800 input features).
public final class Sequential: LayerChain {
    /// The architecture the model was built from.
    public let architecture: ModelArchitecture
    /// The layers in execution order.
    public let layers: [any Layer]
    /// Every layer's parameters and buffers, in layer order.
    public let parameters: [Parameter]
    /// The per-sample output shape for the architecture's input shape (`[10]` for LeNet).
    public let outputShape: [Int]
    private let parametersByName: [String: Parameter]

    /// Builds and initializes the layers, drawing initial weights from `generator` in layer order.
    /// - Throws: `ArchitectureError` when the architecture is inconsistent.
    public init(architecture: ModelArchitecture, generator: inout SeededRandomNumberGenerator) throws(ArchitectureError) {
        guard !architecture.inputShape.isEmpty, architecture.inputShape.allSatisfy({ $0 > 0 }) else {
            throw .invalidInputShape(shape: architecture.inputShape)
        }
        guard !architecture.layers.isEmpty else { throw .noLayers(architecture: architecture.name) }
        var seenNames = Set<String>()
        try Sequential.checkNames(architecture.layers, seen: &seenNames)
        outputShape = try Sequential.outputShape(of: architecture.layers, forInputShape: architecture.inputShape)

        var layers: [any Layer] = []
        var shape = architecture.inputShape
        for specification in architecture.layers {
            layers.append(try LayerFactory.makeLayer(specification, inputShape: shape, generator: &generator))
            shape = try specification.layer.outputShape(forInputShape: shape, layerName: specification.name)
        }
        self.architecture = architecture
        self.layers = layers
        parameters = layers.flatMap(\.parameters)
        var byName: [String: Parameter] = [:]
        for parameter in parameters {
            guard byName.updateValue(parameter, forKey: parameter.name) == nil else {
                throw .duplicateName(parameter.name)
            }
        }
        parametersByName = byName
    }

    /// The model's name, the architecture's (`lenet-5`).
    public var name: String { architecture.name }

    public var specification: LayerSpecification { .sequential(layers: architecture.layers) }

    /// The parameters an optimizer updates (everything but buffers), in layer order.
    public var trainableParameters: [Parameter] { parameters.filter { $0.kind == .trainable } }

    /// The number of trainable scalars (431,080 for `lenet-5`).
    public var trainableParameterCount: Int { trainableParameters.reduce(0) { $0 + $1.value.count } }

    /// The parameter or buffer with this full name (`fc1.weight`), if any.
    public func parameter(named name: String) -> Parameter? { parametersByName[name] }

    /// The per-sample output shape for a per-sample input shape (both without the batch dimension).
    public func outputShape(forInputShape inputShape: [Int]) throws(ArchitectureError) -> [Int] {
        try Sequential.outputShape(of: architecture.layers, forInputShape: inputShape)
    }

    /// The shape of one input sample: the architecture's input shape.
    public var sampleInputShape: [Int] { architecture.inputShape }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// Chains the per-sample shapes through `layers`, returning the last output shape.
    static func outputShape(of layers: [NamedLayerSpecification], forInputShape inputShape: [Int]) throws(ArchitectureError) -> [Int] {
        var shape = inputShape
        for layer in layers {
            shape = try layer.layer.outputShape(forInputShape: shape, layerName: layer.name)
        }
        return shape
    }

    /// Checks that layer names (including those of nested chains) are valid and unique.
    private static func checkNames(_ layers: [NamedLayerSpecification], seen: inout Set<String>) throws(ArchitectureError) {
        for layer in layers {
            guard !layer.name.isEmpty, !layer.name.contains(".") else { throw .invalidLayerName(layer.name) }
            guard seen.insert(layer.name).inserted else { throw .duplicateName(layer.name) }
            if case .sequential(let nested) = layer.layer { try checkNames(nested, seen: &seen) }
        }
    }
}
