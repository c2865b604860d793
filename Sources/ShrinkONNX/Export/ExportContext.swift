import ShrinkFormats
import ShrinkGraph

/// The state of one export: the ONNX nodes and initializers written so far, the names in use,
/// and the helpers converters use to read inputs and weights and to emit nodes.
///
/// ONNX values keep the Shrink values' names; a weight becomes the initializer
/// `<node>.<weight>`; helper values and nodes get names derived from the node's, made unique.
final class ExportContext {
    let file: ModelFile
    let resolved: ResolvedGraph
    let quantization: ONNXExportQuantization
    private(set) var nodes = [Onnx_NodeProto]()
    private(set) var initializers = [Onnx_TensorProto]()
    /// How many weights were written as int8 codes behind a `DequantizeLinear`.
    private(set) var quantizedWeightCount = 0
    /// The nodes reading each Shrink value.
    let consumers: [String: [Int]]
    /// For outputs of Shrink `QuantizeLinear` nodes: the ONNX value holding the integer codes and
    /// whether they are signed (the Shrink value itself is their float copy).
    var integerValues = [String: (name: String, signed: Bool)]()
    /// Values quantized and dequantized once for all the int8 nodes reading them: the name of
    /// the dequantized copy.
    private var dequantizedValues = [String: String]()
    /// Input renames for the node being converted (a value read through its QDQ copy).
    private var substitutions = [String: String]()
    /// QDQ export: the BatchNormalization folded into each int8 node, by the node's index.
    var folds = [Int: NormalizationFold]()
    /// The indices of the BatchNormalization nodes folded away.
    var foldedNormalizations = Set<Int>()
    private var tensors: [String: StoredTensor]
    private var valueNames = NameAllocator()
    private var nodeNames = NameAllocator()

    init(file: ModelFile, resolved: ResolvedGraph, quantization: ONNXExportQuantization) {
        self.file = file
        self.resolved = resolved
        self.quantization = quantization
        tensors = Dictionary(file.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        consumers = resolved.graph.consumers
        valueNames.reserve(resolved.graph.inputs.map(\.name))
        for node in resolved.graph.nodes {
            valueNames.reserve(node.outputs)
            nodeNames.reserve([node.name])
        }
        valueNames.reserve(resolved.weights.map(\.name))
    }

    // MARK: Names

    func uniqueValueName(_ base: String) -> String { valueNames.unique(base) }

    func uniqueNodeName(_ base: String) -> String { nodeNames.unique(base) }

    // MARK: Reading

    /// The ONNX value to read for input `index` of `node` (its QDQ copy when it has one).
    func input(_ node: ExportNode, _ index: Int = 0) -> String {
        let name = node.node.inputs[index]
        return substitutions[name] ?? name
    }

    /// The stored tensor named `name`, if the file has it.
    func tensor(named name: String) -> StoredTensor? { tensors[name] }

    /// The stored tensor of one of the node's weights.
    func storedWeight(_ node: ExportNode, _ weight: String) throws(ONNXError) -> StoredTensor {
        let name = node.node.weightName(weight)
        guard let stored = tensors[name] else { throw node.failure("weight '\(name)' is missing from the model file") }
        return stored
    }

    /// The weight as an fp32 initializer `<node>.<weight>` (decoded from its stored encoding).
    func weight(_ node: ExportNode, _ weight: String) throws(ONNXError) -> String {
        let stored = try storedWeight(node, weight)
        initializers.append(Onnx_TensorProto(name: stored.name, floats: stored.value.scalars, shape: stored.value.shape))
        return stored.name
    }

    /// The weight of a `Linear` or `Conv2D` (output channels along axis 0): with `.qdq` and
    /// int8 codes, an INT8 initializer `<node>.<weight>_quantized` dequantized into the value
    /// `<node>.<weight>` (per-channel scales times a folded normalization's factors);
    /// otherwise the fp32 initializer.
    func matrixWeight(_ node: ExportNode, _ weight: String) throws(ONNXError) -> String {
        let stored = try storedWeight(node, weight)
        guard quantization == .qdq, let int8 = Int8Weight(stored) else { return try self.weight(node, weight) }
        let shape = stored.value.shape
        let codes = uniqueValueName("\(stored.name)_quantized")
        initializers.append(Onnx_TensorProto(name: codes, codes: int8.codes, signed: true, shape: shape))
        var scales = int8.scales
        if let fold = folds[node.index] {
            if scales.count == 1 { scales = [Float](repeating: scales[0], count: fold.factors.count) }
            scales = zip(scales, fold.factors).map { $0 * $1 }
        }
        let perChannel = scales.count > 1
        let scaleShape = perChannel ? [scales.count] : []
        let scale = floatConstant("\(stored.name)_scale", scales, shape: scaleShape)
        let zeroPoint = codeConstant("\(stored.name)_zero_point", [Int32](repeating: 0, count: scales.count),
                                     signed: true, shape: scaleShape)
        emit("DequantizeLinear", name: uniqueNodeName("\(node.name)_\(weight)_dequantize"), inputs: [codes, scale, zeroPoint],
             outputs: [stored.name], attributes: perChannel ? [.int("axis", 0)] : [])
        quantizedWeightCount += 1
        return stored.name
    }

    // MARK: Writing

    /// Adds an initializer whose name is already reserved or unique.
    func appendInitializer(_ tensor: Onnx_TensorProto) {
        initializers.append(tensor)
    }

    /// Adds an fp32 initializer named after `base`; returns its name.
    @discardableResult
    func floatConstant(_ base: String, _ values: [Float], shape: [Int]) -> String {
        let name = uniqueValueName(base)
        initializers.append(Onnx_TensorProto(name: name, floats: values, shape: shape))
        return name
    }

    /// Adds an int64 initializer named after `base`; returns its name.
    func int64Constant(_ base: String, _ values: [Int], shape: [Int]) -> String {
        let name = uniqueValueName(base)
        initializers.append(Onnx_TensorProto(name: name, int64s: values, shape: shape))
        return name
    }

    /// Adds an int8 (`signed`) or uint8 initializer named after `base`; returns its name.
    func codeConstant(_ base: String, _ codes: [Int32], signed: Bool, shape: [Int]) -> String {
        let name = uniqueValueName(base)
        initializers.append(Onnx_TensorProto(name: name, codes: codes, signed: signed, shape: shape))
        return name
    }

    /// Appends an ONNX node of the default domain.
    func emit(_ type: String, name: String, inputs: [String], outputs: [String], attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = type
        node.name = name
        node.input = inputs
        node.output = outputs
        node.attribute = attributes
        nodes.append(node)
    }

    /// Appends the ONNX node standing for `node` itself: its name, its outputs (those of the
    /// BatchNormalization folded into it, if any).
    func emit(_ node: ExportNode, as type: String, inputs: [String], attributes: [Onnx_AttributeProto] = []) {
        emit(type, name: node.name, inputs: inputs, outputs: folds[node.index].map { [$0.output] } ?? node.node.outputs,
             attributes: attributes)
    }

    // MARK: Activation quantization

    /// Before converting `node`: with `.qdq`, when the runtime quantizes the node's input with
    /// calibrated parameters, the input is read through `QuantizeLinear` → `DequantizeLinear`
    /// (written once per value, shared by every such reader).
    func prepareInputs(of node: ExportNode) {
        substitutions = [:]
        guard quantization == .qdq, let parameters = staticInputQuantization(node) else { return }
        let value = node.node.inputs[0]
        if let copy = dequantizedValues[value] {
            substitutions[value] = copy
            return
        }
        let signed = parameters.isSigned
        let scale = floatConstant("\(value)_input_scale", [parameters.scale], shape: [])
        let zeroPoint = codeConstant("\(value)_input_zero_point", [parameters.zeroPoint], signed: signed, shape: [])
        let quantized = uniqueValueName("\(value)_quantized"), dequantized = uniqueValueName("\(value)_dequantized")
        emit("QuantizeLinear", name: uniqueNodeName("\(value)_quantize"), inputs: [value, scale, zeroPoint], outputs: [quantized])
        emit("DequantizeLinear", name: uniqueNodeName("\(value)_dequantize"), inputs: [quantized, scale, zeroPoint], outputs: [dequantized])
        dequantizedValues[value] = dequantized
        substitutions[value] = dequantized
    }

    /// The calibrated parameters the runtime quantizes `node`'s input with, when it does
    /// (`ExecutionPlan`: a `Linear`, or a `Conv2D` it lowers to a matrix product, whose weight
    /// is stored dense as int8 codes, reading a value with 8-bit parameters); nil otherwise.
    func staticInputQuantization(_ node: ExportNode) -> ActivationQuantization? {
        guard node.type == "Linear" || node.type == "Conv2D" && Self.isLowerable(node),
              let parameters = file.activationQuantization[node.node.inputs[0]], parameters.bits == 8,
              let stored = tensors[node.node.weightName("weight")], stored.encoding?.layout == .dense,
              Int8Weight(stored) != nil
        else { return nil }
        return parameters
    }

    /// Whether the runtime runs the convolution as a matrix product over lowered columns (one
    /// group, square kernel and strides, no dilation, equal pads), where int8 weights and
    /// static activation quantization apply.
    static func isLowerable(_ node: ExportNode) -> Bool {
        guard let groups = try? node.int("groups", default: 1), let kernel = try? node.ints("kernel_shape"),
              let strides = try? node.ints("strides", default: [1, 1]), let dilations = try? node.ints("dilations", default: [1, 1]),
              let pads = try? node.ints("pads", default: [0, 0, 0, 0]) else { return false }
        return groups == 1 && kernel.count == 2 && kernel[0] == kernel[1] && strides.count == 2 && strides[0] == strides[1]
            && dilations == [1, 1] && pads.count == 4 && Set(pads).count == 1
    }
}
