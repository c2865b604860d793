import ShrinkFormats
import ShrinkGraph
import ShrinkNN
import ShrinkTensor

/// The state of one import: what each ONNX value became, the Shrink nodes and weights made so
/// far, and the helpers converters use to read inputs and emit nodes.
final class ImportContext {
    /// What an ONNX value became.
    enum Value {
        /// A value of Shrink's graph (named `name`) with its inferred shape.
        case activation(name: String, shape: ValueShape)
        /// A tensor known while importing.
        case constant(ONNXConstant)
    }

    let options: ONNXImportOptions
    let registry: OperatorRegistry
    /// The model's default-domain opset: attributes moved to inputs at 13 (Squeeze, Softmax's
    /// axis), 11 (Clip) and so on.
    let opset: Int
    private(set) var values = [String: Value]()
    private(set) var inputs = [ValueInfo]()
    private(set) var nodes = [Node]()
    var tensors = [String: Tensor]()
    var notes = [String]()
    /// How many ONNX nodes read each ONNX value, graph outputs counted as readers.
    let readerCounts: [String: Int]
    /// The index in `nodes` of the node producing each Shrink value.
    private(set) var producers = [String: Int]()
    private var nodeNames = NameAllocator()
    private var valueNames = NameAllocator()
    private let graphName: String

    init(options: ONNXImportOptions, registry: OperatorRegistry, opset: Int, graph: Onnx_GraphProto) {
        self.options = options
        self.registry = registry
        self.opset = opset
        var counts = [String: Int]()
        for node in graph.node { for input in node.input where !input.isEmpty { counts[input, default: 0] += 1 } }
        for output in graph.output { counts[output.name, default: 0] += 1 }
        readerCounts = counts
        graphName = Self.sanitized(graph.name.isEmpty ? "imported" : graph.name)
    }

    // MARK: Values

    func define(_ onnxName: String, as value: Value) {
        values[onnxName] = value
    }

    func value(_ name: String, for node: ONNXNode) throws(ONNXError) -> Value {
        guard let value = values[name] else {
            throw .invalid("node '\(node.proto.name)' (\(node.operatorType)) reads '\(name)', which no earlier node or input produces")
        }
        return value
    }

    /// Input `index` of `node`, which must be an activation.
    func activation(_ node: ONNXNode, _ index: Int = 0) throws(ONNXError) -> (name: String, shape: ValueShape) {
        guard let name = node.input(index) else { throw node.unsupported("input \(index) is missing") }
        switch try value(name, for: node) {
        case let .activation(value, shape): return (value, shape)
        case .constant: throw node.unsupported("input \(index) ('\(name)') is a constant; Shrink imports this op on activations only")
        }
    }

    /// Input `index` of `node`, which must be a constant (an initializer or folded value).
    func constant(_ node: ONNXNode, _ index: Int, _ role: String) throws(ONNXError) -> ONNXConstant {
        guard let constant = try optionalConstant(node, index, role) else { throw node.unsupported("the \(role) (input \(index)) is missing") }
        return constant
    }

    /// Input `index` of `node` if present; it must be a constant.
    func optionalConstant(_ node: ONNXNode, _ index: Int, _ role: String) throws(ONNXError) -> ONNXConstant? {
        guard let name = node.input(index) else { return nil }
        switch try value(name, for: node) {
        case let .constant(constant): return constant
        case .activation: throw node.unsupported("the \(role) ('\(name)') must be a constant (an initializer)")
        }
    }

    /// Whether every present input of `node` is a constant.
    func allInputsConstant(_ node: ONNXNode) -> Bool {
        node.inputs.allSatisfy { name in
            if name.isEmpty { return true }
            if case .constant = values[name] { return true }
            return false
        }
    }

    /// Whether ONNX value `name` is read by exactly one node and is not a graph output (so the
    /// node producing it may be rewritten, e.g. a BatchNormalization folded into its Conv).
    func hasSingleReader(_ name: String) -> Bool { readerCounts[name] == 1 }

    // MARK: Graph inputs

    func addGraphInput(_ proto: Onnx_ValueInfoProto, isFirst: Bool) throws(ONNXError) {
        let tensorType = proto.type.tensorType
        // Integer inputs (quantized codes) are carried as exact integers in float storage.
        guard ONNXElementType(rawValue: Int(tensorType.elemType)) != nil else {
            throw .unsupportedConfiguration(node: proto.name, operatorType: "input",
                                            reason: "element type \(ONNXElementType.describe(tensorType.elemType)) is not supported")
        }
        guard tensorType.hasShape, !tensorType.shape.dim.isEmpty else {
            throw .unsupportedConfiguration(node: proto.name, operatorType: "input", reason: "the input has no shape (rank ≥ 1 needed)")
        }
        var dimensions = [Dimension]()
        for (axis, dimension) in tensorType.shape.dim.enumerated() {
            let declared: Int?
            if case let .dimValue(value)? = dimension.value { declared = Int(value) } else { declared = nil }
            if axis == 0 {
                switch (options.batchAxis, declared) {
                case (_, nil), (.symbolic, 1): dimensions.append(.batch)
                case let (_, size?):
                    guard size > 0 else { throw .invalid("input '\(proto.name)' has dimension \(size)") }
                    dimensions.append(.fixed(size))
                }
            } else if isFirst, let sample = options.inputSampleShape, sample.count == tensorType.shape.dim.count - 1 {
                dimensions.append(.fixed(sample[axis - 1]))
            } else if let size = declared, size > 0 {
                dimensions.append(.fixed(size))
            } else {
                throw .unsupportedConfiguration(
                    node: proto.name, operatorType: "input",
                    reason: "dimension \(axis) is symbolic ('\(dimension.dimParam)'); give the per-sample input shape (--input-shape)")
            }
        }
        let shape = ValueShape(dimensions)
        let name = uniqueValueName(proto.name)
        guard isFirst, let preprocessing = options.preprocessing else {
            inputs.append(ValueInfo(name: name, shape: shape))
            define(proto.name, as: .activation(name: name, shape: shape))
            return
        }
        try addPreprocessedInput(name: name, onnxName: proto.name, modelShape: shape, preprocessing: preprocessing)
    }

    /// A channels-first graph input, normalized (and transposed for NHWC models) into the model's input.
    private func addPreprocessedInput(name: String, onnxName: String, modelShape: ValueShape,
                                      preprocessing: InputPreprocessing) throws(ONNXError) {
        var shape = modelShape
        if preprocessing.layout == .nhwc {
            guard shape.rank == 4 else { throw .unsupportedConfiguration(node: onnxName, operatorType: "input", reason: "an NHWC layout needs a rank-4 input, got \(shape)") }
            shape = ValueShape([shape[0], shape[3], shape[1], shape[2]])
        }
        guard shape.rank >= 2, let channels = shape[1].fixedValue else {
            throw .unsupportedConfiguration(node: onnxName, operatorType: "input", reason: "normalization needs a channel axis, got \(shape)")
        }
        for (list, label) in [(preprocessing.mean, "mean"), (preprocessing.standardDeviation, "standard deviation")]
        where !(list.isEmpty || list.count == 1 || list.count == channels) {
            throw .unsupportedConfiguration(node: onnxName, operatorType: "input",
                                            reason: "\(list.count) \(label) values for \(channels) channels (give 1 or \(channels))")
        }
        inputs.append(ValueInfo(name: name, shape: shape))
        var current = (name: name, shape: shape)
        current = try emitIntermediate(
            type: "InputNormalization", base: "input_normalization",
            attributes: ["scale": .float(preprocessing.scale), "mean": .floats(preprocessing.mean),
                         "standard_deviation": .floats(preprocessing.standardDeviation)],
            inputs: [current.name], weights: [], nodeLabel: onnxName)
        if preprocessing.layout == .nhwc {
            current = try emitIntermediate(type: "Transpose", base: "input_to_nhwc", attributes: ["permutation": .ints([0, 2, 3, 1])],
                                           inputs: [current.name], weights: [], nodeLabel: onnxName)
        }
        define(onnxName, as: .activation(name: current.name, shape: current.shape))
        notes.append("input '\(name)': channels-first data normalized (scale \(preprocessing.scale), mean \(preprocessing.mean), "
                     + "std \(preprocessing.standardDeviation))" + (preprocessing.layout == .nhwc ? ", then transposed to NHWC" : ""))
    }

    // MARK: Emitting nodes

    /// Appends a Shrink node converting ONNX `node`, whose outputs become the node's outputs
    /// (in order). Returns the outputs' names and shapes.
    @discardableResult
    func emit(_ node: ONNXNode, type: String, attributes: Attributes, inputs: [String], weights: [Tensor],
              outputCount: Int = 1) throws(ONNXError) -> [(name: String, shape: ValueShape)] {
        let outputNames = (0..<outputCount).map { index in
            index < node.outputs.count && !node.outputs[index].isEmpty ? uniqueValueName(node.outputs[index])
                : uniqueValueName("\(node.name)_output\(index)")
        }
        let outputs = try append(name: node.name, type: type, attributes: attributes, inputs: inputs, outputs: outputNames,
                                 weights: weights, label: node.proto.name.isEmpty ? node.name : node.proto.name, onnxType: node.operatorType)
        for (index, output) in outputs.enumerated() where index < node.outputs.count && !node.outputs[index].isEmpty {
            define(node.outputs[index], as: .activation(name: output.name, shape: output.shape))
        }
        return outputs
    }

    /// Appends a helper node with generated names (a reshape around a softmax); returns its output.
    func emitIntermediate(type: String, base: String, attributes: Attributes, inputs: [String], weights: [Tensor],
                          nodeLabel: String) throws(ONNXError) -> (name: String, shape: ValueShape) {
        let name = uniqueNodeName(base)
        return try append(name: name, type: type, attributes: attributes, inputs: inputs, outputs: [uniqueValueName(name)],
                          weights: weights, label: nodeLabel, onnxType: type)[0]
    }

    private func append(name: String, type: String, attributes: Attributes, inputs: [String], outputs: [String],
                        weights: [Tensor], label: String, onnxType: String) throws(ONNXError) -> [(name: String, shape: ValueShape)] {
        let node = Node(name: name, operatorType: type, inputs: inputs, outputs: outputs, attributes: attributes)
        func failure(_ reason: String) -> ONNXError { .unsupportedConfiguration(node: label, operatorType: onnxType, reason: reason) }
        let op: any Operator
        do { op = try registry.makeOperator(for: node) } catch { throw failure("\(error)") }
        guard op.inputCount.contains(inputs.count), op.outputCount == outputs.count else {
            throw failure("Shrink's \(type) takes \(op.inputCount) inputs and \(op.outputCount) outputs")
        }
        let declarations = op.weights
        guard declarations.count == weights.count else { throw failure("\(type) declares \(declarations.count) weights, got \(weights.count)") }
        for (declaration, tensor) in zip(declarations, weights) {
            guard declaration.elementCount == tensor.count else {
                throw failure("weight '\(declaration.name)' needs shape \(declaration.shape), got \(tensor.shape)")
            }
            tensors[node.weightName(declaration.name)] = tensor.shape == declaration.shape ? tensor
                : Tensor(shape: declaration.shape, scalars: tensor.scalars)
        }
        var inputShapes = [ValueShape]()
        for input in inputs {
            guard let shape = shape(ofShrinkValue: input) else { throw failure("reads unknown value '\(input)'") }
            inputShapes.append(shape)
        }
        let shapes: [ValueShape]
        do { shapes = try op.outputShapes(for: inputShapes) } catch { throw failure(error.message) }
        nodeNames.reserve([name])
        for output in outputs { producers[output] = nodes.count }
        nodes.append(node)
        shapesByValue.merge(zip(outputs, shapes).map { ($0, $1) }) { $1 }
        return zip(outputs, shapes).map { (name: $0, shape: $1) }
    }

    private var shapesByValue = [String: ValueShape]()

    func shape(ofShrinkValue name: String) -> ValueShape? {
        shapesByValue[name] ?? inputs.first { $0.name == name }?.shape
    }

    /// Rewrites the node producing Shrink value `value` (to fold a following op into it).
    func updateProducer(of value: String, _ update: (inout Node) -> Void) {
        guard let index = producers[value] else { return }
        update(&nodes[index])
    }

    func producer(of value: String) -> Node? { producers[value].map { nodes[$0] } }

    // MARK: Names

    /// `name` with the characters Shrink's names exclude (dots, control characters) replaced.
    static func sanitized(_ name: String) -> String {
        let cleaned = String(name.unicodeScalars.map { $0 == "." || $0.value < 0x20 || $0.value == 0x7F ? "_" : Character($0) })
        return cleaned.isEmpty ? "value" : cleaned
    }

    func uniqueNodeName(_ base: String) -> String { nodeNames.unique(Self.sanitized(base)) }

    func uniqueValueName(_ base: String) -> String { valueNames.unique(Self.sanitized(base)) }

    // MARK: Finishing

    /// The graph with `outputs` (ONNX names) as its outputs, unused nodes removed, validated.
    func finish(outputs onnxOutputs: [String]) throws(ONNXError) -> ImportedModel {
        var outputNames = [String]()
        let inputNames = Set(inputs.map(\.name))
        for onnxName in onnxOutputs {
            guard let value = values[onnxName] else { throw .invalid("graph output '\(onnxName)' is never produced") }
            guard case let .activation(name, _) = value else {
                throw .unsupportedConfiguration(node: onnxName, operatorType: "output", reason: "the output is a constant")
            }
            let wanted = Self.sanitized(onnxName)
            if name == wanted && !inputNames.contains(name) && !outputNames.contains(name) {
                outputNames.append(name)
                continue
            }
            // A value renamed by folding (MatMul + Add → Linear) that nothing else reads takes the output's name.
            if !inputNames.contains(name), !outputNames.contains(name), !valueNames.contains(wanted),
               let producer = producers[name], !nodes.contains(where: { $0.inputs.contains(name) }) {
                nodes[producer].outputs = nodes[producer].outputs.map { $0 == name ? wanted : $0 }
                valueNames.reserve([wanted])
                producers[wanted] = producer
                shapesByValue[wanted] = shape(ofShrinkValue: name)
                outputNames.append(wanted)
                continue
            }
            // An alias (Identity, Dropout) or a repeated value: an Identity node gives the output its own name.
            let identity = Node(name: uniqueNodeName("\(wanted)_identity"), operatorType: "Identity", inputs: [name],
                                outputs: [uniqueValueName(wanted)])
            nodes.append(identity)
            shapesByValue[identity.outputs[0]] = shape(ofShrinkValue: name)
            outputNames.append(identity.outputs[0])
        }
        let live = liveNodes(outputs: outputNames)
        if live.count < nodes.count { notes.append("\(nodes.count - live.count) node(s) whose results are never used were left out") }
        let liveNames = Set(live.map(\.name))
        let liveTensors = tensors.filter { liveNames.contains(String($0.key.prefix { $0 != "." })) }
        let graph = Graph(name: graphName, inputs: inputs, outputs: outputNames, nodes: live)
        do { _ = try ResolvedGraph(graph, registry: registry) } catch { throw .graph("\(error)") }
        return ImportedModel(graph: graph, tensors: liveTensors, notes: notes)
    }

    /// The nodes that outputs depend on, in order.
    private func liveNodes(outputs: [String]) -> [Node] {
        var needed = Set(outputs)
        var keep = [Bool](repeating: false, count: nodes.count)
        for index in nodes.indices.reversed() where nodes[index].outputs.contains(where: needed.contains) {
            keep[index] = true
            needed.formUnion(nodes[index].inputs)
        }
        return nodes.indices.filter { keep[$0] }.map { nodes[$0] }
    }
}
