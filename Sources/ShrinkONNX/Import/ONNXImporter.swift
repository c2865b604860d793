import ShrinkGraph
import ShrinkNN
import ShrinkTensor

/// Imports an ONNX model onto Shrink's graph: each ONNX node becomes Shrink ops (a `Gemm` with a
/// constant weight a `Linear`, a `BatchNormalization` after a `Conv` folded into it), constants
/// become the weights of the nodes that read them, and shape arithmetic on constants is folded.
///
/// Before converting anything the importer lists every node whose op type it does not import
/// and fails with all of them in one error (`ONNXError.unsupportedNodes`).
public struct ONNXImporter {
    public var options: ONNXImportOptions
    public var registry: OperatorRegistry

    public init(options: ONNXImportOptions = ONNXImportOptions(), registry: OperatorRegistry = .standard) {
        self.options = options
        self.registry = registry
    }

    /// The ONNX op types (default domain) the importer converts.
    public static var supportedOperatorTypes: [String] { converters.keys.sorted() }

    /// Imports `model`.
    /// - Throws: `ONNXError`: unsupported nodes (all of them), an unsupported configuration or
    ///   opset, invalid tensors, or a graph Shrink's validation rejects.
    public func importModel(_ model: ONNXModel) throws(ONNXError) -> ImportedModel {
        try importModel(model, frozenInputs: [:])
    }

    /// Imports `model` with some graph inputs replaced by constants (the conformance runner feeds
    /// the node tests' weights this way).
    func importModel(_ model: ONNXModel, frozenInputs: [String: ONNXConstant]) throws(ONNXError) -> ImportedModel {
        let graph = model.proto.graph
        try Self.checkSupported(graph)
        guard let opset = model.opsetVersion else { throw .invalid("the model imports no default-domain opset") }
        guard ONNXModel.supportedOpsets.contains(opset) else { throw .unsupportedOpset(opset, supported: ONNXModel.supportedOpsets) }

        let context = ImportContext(options: options, registry: registry, opset: opset, graph: graph)
        var initializerNames = Set<String>()
        for initializer in graph.initializer {
            context.define(initializer.name, as: .constant(try ONNXConstant(initializer)))
            initializerNames.insert(initializer.name)
        }
        for (name, value) in frozenInputs { context.define(name, as: .constant(value)) }
        let activationInputs = graph.input.filter { !initializerNames.contains($0.name) && frozenInputs[$0.name] == nil }
        guard !activationInputs.isEmpty else { throw .invalid("the graph has no inputs besides its initializers") }
        for (position, input) in activationInputs.enumerated() {
            try context.addGraphInput(input, isFirst: position == 0)
        }
        for (index, proto) in graph.node.enumerated() {
            let node = ONNXNode(proto: proto, name: context.uniqueNodeName(proto.name.isEmpty ? "\(proto.opType)_\(index)" : proto.name))
            guard let converter = Self.converters[proto.opType] else { throw .unsupportedNodes([Self.unsupported(proto)]) }
            guard let first = proto.output.first, !first.isEmpty else { throw node.unsupported("has no output") }
            try converter(context, node)
        }
        return try context.finish(outputs: graph.output.map(\.name))
    }

    /// Every node of `graph` whose op type or domain is not imported, in one error.
    static func checkSupported(_ graph: Onnx_GraphProto) throws(ONNXError) {
        let unsupported = graph.node.filter { node in
            !(node.domain.isEmpty || node.domain == "ai.onnx") || converters[node.opType] == nil
        }
        guard unsupported.isEmpty else { throw .unsupportedNodes(unsupported.map(Self.unsupported)) }
    }

    private static func unsupported(_ node: Onnx_NodeProto) -> ONNXError.UnsupportedNode {
        ONNXError.UnsupportedNode(name: node.name, operatorType: node.opType, domain: node.domain)
    }

    /// Converts one ONNX node into Shrink nodes or folded constants.
    typealias Converter = (ImportContext, ONNXNode) throws(ONNXError) -> Void

    /// The converter of each supported ONNX op type: adding an op type is one entry here.
    static let converters: [String: Converter] = {
        var table = [String: Converter]()
        for (type, converter) in ElementwiseConverters.all { table[type] = converter }
        for (type, converter) in MatrixConverters.all { table[type] = converter }
        for (type, converter) in ConvolutionConverters.all { table[type] = converter }
        for (type, converter) in ShapeConverters.all { table[type] = converter }
        for (type, converter) in QuantizationConverters.all { table[type] = converter }
        return table
    }()
}
