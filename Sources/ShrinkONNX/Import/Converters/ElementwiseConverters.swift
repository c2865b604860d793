import ShrinkGraph
import ShrinkTensor

/// Activations, `Clip`, softmaxes, aliases (`Identity`, inference `Dropout`) and the binary
/// arithmetic ops.
enum ElementwiseConverters {
    static let all: [String: ONNXImporter.Converter] = [
        "Relu": unary("ReLU"),
        "Sigmoid": unary("Sigmoid"),
        "Tanh": unary("Tanh"),
        "HardSwish": unary("HardSwish"),
        "LeakyRelu": { context, node throws(ONNXError) in
            try unary(context, node, "LeakyReLU", ["alpha": .float(try node.float("alpha", default: 0.01))])
        },
        "HardSigmoid": { context, node throws(ONNXError) in
            try unary(context, node, "HardSigmoid", ["alpha": .float(try node.float("alpha", default: 0.2)),
                                                     "beta": .float(try node.float("beta", default: 0.5))])
        },
        "Clip": clip,
        "Softmax": { context, node throws(ONNXError) in try softmax(context, node, type: "Softmax") },
        "LogSoftmax": { context, node throws(ONNXError) in try softmax(context, node, type: "LogSoftmax") },
        "Identity": alias,
        "Dropout": dropout,
        "Add": { context, node throws(ONNXError) in try binary(context, node, type: "Add") },
        "Sub": { context, node throws(ONNXError) in try binary(context, node, type: "Sub") },
        "Mul": { context, node throws(ONNXError) in try binary(context, node, type: "Mul") },
        "Div": { context, node throws(ONNXError) in try binary(context, node, type: "Div") },
    ]

    private static func unary(_ type: String) -> ONNXImporter.Converter {
        { context, node throws(ONNXError) in try unary(context, node, type, [:]) }
    }

    private static func unary(_ context: ImportContext, _ node: ONNXNode, _ type: String, _ attributes: Attributes) throws(ONNXError) {
        let input = try context.activation(node)
        try context.emit(node, type: type, attributes: attributes, inputs: [input.name], weights: [])
    }

    /// `Clip` with bounds as attributes (opset < 11) or constant inputs; `Clip(0, 6)` is `ReLU6`.
    private static func clip(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        var minimum = -Float.greatestFiniteMagnitude, maximum = Float.greatestFiniteMagnitude
        if context.opset < 11 {
            minimum = try node.float("min", default: minimum)
            maximum = try node.float("max", default: maximum)
        } else {
            for (index, role) in [(1, "min"), (2, "max")] {
                guard let bound = try context.optionalConstant(node, index, role) else { continue }
                guard let values = bound.floats, values.count == 1 else { throw node.unsupported("the \(role) bound must be one number") }
                if index == 1 { minimum = values[0] } else { maximum = values[0] }
            }
        }
        // The op's bounds are finite floats: infinities mean no bound.
        minimum = max(minimum, -Float.greatestFiniteMagnitude)
        maximum = min(maximum, Float.greatestFiniteMagnitude)
        if minimum == 0 && maximum == 6 {
            try context.emit(node, type: "ReLU6", attributes: [:], inputs: [input.name], weights: [])
        } else {
            try context.emit(node, type: "Clip", attributes: ["minimum": .float(minimum), "maximum": .float(maximum)],
                             inputs: [input.name], weights: [])
        }
    }

    /// `Softmax`/`LogSoftmax` along one axis (opset ≥ 13), or over the input flattened from
    /// `axis` on (opset < 13: a reshape, the softmax, and a reshape back).
    private static func softmax(_ context: ImportContext, _ node: ONNXNode, type: String) throws(ONNXError) {
        let input = try context.activation(node)
        let rank = input.shape.rank
        let axis = try ShapeArithmetic.normalizedAxis(try node.int("axis", default: context.opset >= 13 ? -1 : 1), rank: rank, node: node)
        guard axis >= 1 else { throw node.unsupported("a softmax over the batch axis 0 mixes samples") }
        if context.opset >= 13 || axis == rank - 1 {
            try context.emit(node, type: type, attributes: ["axis": .int(axis)], inputs: [input.name], weights: [])
            return
        }
        guard let sample = input.shape.sampleShape else { throw node.unsupported("needs fixed sizes after the batch axis, got \(input.shape)") }
        let flat = Array(sample[..<(axis - 1)]) + [sample[(axis - 1)...].reduce(1, *)]
        let flattened = try context.emitIntermediate(type: "Reshape", base: "\(node.name)_flatten", attributes: ["shape": .ints(flat)],
                                                     inputs: [input.name], weights: [], nodeLabel: node.name)
        let softened = try context.emitIntermediate(type: type, base: "\(node.name)_softmax", attributes: ["axis": .int(-1)],
                                                    inputs: [flattened.name], weights: [], nodeLabel: node.name)
        try context.emit(node, type: "Reshape", attributes: ["shape": .ints(sample)], inputs: [softened.name], weights: [])
    }

    /// `Identity`: the output is the input (constants stay constants).
    private static func alias(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard let input = node.input(0), let output = node.outputs.first else { throw node.unsupported("needs one input and one output") }
        context.define(output, as: try context.value(input, for: node))
    }

    /// Inference-mode `Dropout` is the identity; its mask output is not imported.
    private static func dropout(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        if node.outputs.count > 1, !node.outputs[1].isEmpty, context.readerCounts[node.outputs[1]] != nil {
            throw node.unsupported("the mask output is read; Shrink imports inference-mode Dropout only")
        }
        if let training = try context.optionalConstant(node, 2, "training_mode"), training.integers?.first ?? 0 != 0 {
            throw node.unsupported("training_mode = true is not imported")
        }
        try alias(context, node)
    }

    /// `Add`/`Sub`/`Mul`/`Div`: folded when both operands are constants, a node with a constant
    /// operand when one is, a two-input node when both are activations of equal rank. An `Add`
    /// of a per-feature constant after a bias-free `Linear` (PyTorch's `MatMul` + `Add`) becomes
    /// that `Linear`'s bias.
    private static func binary(_ context: ImportContext, _ node: ONNXNode, type: String) throws(ONNXError) {
        guard let leftName = node.input(0), let rightName = node.input(1) else { throw node.unsupported("needs two inputs") }
        let left = try context.value(leftName, for: node), right = try context.value(rightName, for: node)
        switch (left, right) {
        case let (.constant(a), .constant(b)):
            context.define(node.outputs[0], as: .constant(try ConstantFolding.binary(type, a, b, node: node)))
        case let (.activation(a, aShape), .activation(b, bShape)):
            guard aShape.rank == bShape.rank else {
                throw node.unsupported("operands of ranks \(aShape.rank) and \(bShape.rank): Shrink broadcasts activations of equal rank")
            }
            try context.emit(node, type: type, attributes: [:], inputs: [a, b], weights: [])
        case let (.activation(name, shape), .constant(constant)):
            if type == "Add", try foldBias(context, node, activation: name, shape: shape, constant: constant) { return }
            try constantOperand(context, node, type: type, activation: name, constant: constant, constantFirst: false)
        case let (.constant(constant), .activation(name, shape)):
            if type == "Add", try foldBias(context, node, activation: name, shape: shape, constant: constant) { return }
            try constantOperand(context, node, type: type, activation: name, constant: constant,
                                constantFirst: type == "Sub" || type == "Div")
        }
    }

    private static func constantOperand(_ context: ImportContext, _ node: ONNXNode, type: String, activation: String,
                                        constant: ONNXConstant, constantFirst: Bool) throws(ONNXError) {
        guard let tensor = constant.tensor() else { throw node.unsupported("the constant operand is symbolic") }
        var attributes: Attributes = ["constant": .int(1), "constant_shape": .ints(constant.shape)]
        if constantFirst { attributes["constant_first"] = .int(1) }
        try context.emit(node, type: type, attributes: attributes, inputs: [activation], weights: [tensor])
    }

    /// Folds `Linear(x) + c` into the Linear's bias when the Linear has none, its output is read
    /// only here, and `c` holds one value per output feature (`[N]` or `[1, N]`).
    private static func foldBias(_ context: ImportContext, _ node: ONNXNode, activation: String, shape: ValueShape,
                                 constant: ONNXConstant) throws(ONNXError) -> Bool {
        guard let producer = context.producer(of: activation), producer.operatorType == "Linear",
              producer.attributes["bias"] == .int(0), let onnxInput = node.inputs.first(where: { name in
                  if case let .activation(shrinkName, _)? = context.values[name] { return shrinkName == activation }
                  return false
              }), context.hasSingleReader(onnxInput),
              case let .int(features)? = producer.attributes["output_features"],
              constant.count == features, constant.shape.last == features, constant.shape.dropLast().allSatisfy({ $0 == 1 }),
              constant.shape.count <= 2, let values = constant.floats
        else { return false }
        context.updateProducer(of: activation) { $0.attributes["bias"] = .int(1) }
        context.tensors[producer.weightName("bias")] = Tensor(shape: [features], scalars: values)
        context.define(node.outputs[0], as: .activation(name: activation, shape: shape))
        context.notes.append("Add '\(node.proto.name)' folded into the bias of '\(producer.name)'")
        return true
    }
}
