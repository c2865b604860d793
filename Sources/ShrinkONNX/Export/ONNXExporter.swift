import ShrinkFormats
import ShrinkGraph
import ShrinkNN

/// Exports a Shrink model file to ONNX (opset 17, IR version 8): each node becomes the ONNX
/// ops computing the same values (`Linear` a `Gemm`, `SiLU` a `Sigmoid` and a `Mul`), each
/// weight an initializer `<node>.<weight>` of its decoded fp32 values, or with `.qdq` the
/// int8 codes behind a `DequantizeLinear` (a BatchNormalization after an int8 node is then
/// folded into its scales and bias, as the runtime folds it).
///
/// ONNX values keep the Shrink values' names and ONNX nodes the Shrink nodes' names; the graph
/// input's first axis is the symbolic `batch`; outputs carry their inferred shapes.
public struct ONNXExporter {
    /// The default-domain opset written.
    public static let opsetVersion = 17
    /// The IR version written (the one of opset 17).
    public static let irVersion = 8

    /// Resolves the graph (shapes, attribute defaults).
    public var registry: OperatorRegistry

    public init(registry: OperatorRegistry = .standard) {
        self.registry = registry
    }

    /// The Shrink op types the exporter writes.
    public static var supportedOperatorTypes: [String] { converters.keys.sorted() }

    /// The ONNX model of `file`.
    /// - Throws: `ONNXError.export` naming every node whose op has no ONNX form, a graph that
    ///   does not resolve, a node configuration ONNX cannot express, or (`.qdq`) a model
    ///   without int8-coded weights.
    public func export(_ file: ModelFile, quantization: ONNXExportQuantization = .none) throws(ONNXError) -> ONNXModel {
        let graph = file.graph
        let unsupported = graph.nodes.filter { Self.converters[$0.operatorType] == nil }
        guard unsupported.isEmpty else {
            let list = unsupported.map { "'\($0.name)' (\($0.operatorType))" }.joined(separator: ", ")
            throw .export("no ONNX form for node\(unsupported.count == 1 ? "" : "s") \(list)")
        }
        let resolved: ResolvedGraph
        do { resolved = try ResolvedGraph(graph, registry: registry) } catch { throw .export("the graph is invalid: \(error)") }
        for input in graph.inputs where input.elementType != .float32 {
            throw .export("input '\(input.name)' is \(input.elementType.rawValue); ONNX export writes float32 inputs only")
        }

        let context = ExportContext(file: file, resolved: resolved, quantization: quantization)
        try context.planNormalizationFolds()
        for (index, node) in graph.nodes.enumerated() where !context.foldedNormalizations.contains(index) {
            let exportNode = ExportNode(node: node, index: index, op: resolved.operators[index],
                                        inputShapes: node.inputs.map { resolved.shapes[$0] ?? [] },
                                        outputShapes: node.outputs.map { resolved.shapes[$0] ?? [] })
            context.prepareInputs(of: exportNode)
            try Self.converters[node.operatorType]!(context, exportNode)
        }
        if quantization == .qdq && context.quantizedWeightCount == 0 {
            throw .export("QDQ export needs int8-coded weights and '\(graph.name)' has none; compress it with int8 quantization first")
        }

        var graphProto = Onnx_GraphProto()
        graphProto.name = graph.name
        graphProto.node = context.nodes
        graphProto.initializer = context.initializers
        graphProto.input = graph.inputs.map { Onnx_ValueInfoProto(name: $0.name, shape: $0.shape) }
        graphProto.output = graph.outputs.map { Onnx_ValueInfoProto(name: $0, shape: resolved.shapes[$0]) }

        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.irVersion)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opsetVersion)
        model.opsetImport = [opset]
        model.producerName = "shrink"
        model.producerVersion = String(ModelMetadata.defaultProducer.split(separator: " ").last ?? "")
        if !file.metadata.producer.isEmpty { model.docString = "exported from a model file made by \(file.metadata.producer)" }
        model.graph = graphProto
        return ONNXModel(proto: model)
    }

    /// Converts one Shrink node into ONNX nodes and initializers.
    typealias Converter = (ExportContext, ExportNode) throws(ONNXError) -> Void

    /// The converter of each exported Shrink op type: adding an op type is one entry here.
    static let converters: [String: Converter] = {
        var table = [String: Converter]()
        for (type, converter) in MatrixExport.all { table[type] = converter }
        for (type, converter) in ConvolutionExport.all { table[type] = converter }
        for (type, converter) in ElementwiseExport.all { table[type] = converter }
        for (type, converter) in ShapeExport.all { table[type] = converter }
        for (type, converter) in NormalizationExport.all { table[type] = converter }
        for (type, converter) in QuantizationExport.all { table[type] = converter }
        return table
    }()
}
