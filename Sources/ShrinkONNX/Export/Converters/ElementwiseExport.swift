/// Activations, `Clip`, softmaxes, aliases (`Identity`, inference `Dropout`) and the binary
/// arithmetic ops (an n-ary `Add` or `Mul` as a chain, a constant operand as an initializer).
enum ElementwiseExport {
    static let all: [String: ONNXExporter.Converter] = [
        "ReLU": unary("Relu"),
        "Sigmoid": unary("Sigmoid"),
        "Tanh": unary("Tanh"),
        "HardSwish": unary("HardSwish"),
        "Identity": unary("Identity"),
        "Dropout": unary("Identity"),
        "LeakyReLU": { context, node throws(ONNXError) in
            context.emit(node, as: "LeakyRelu", inputs: [context.input(node)], attributes: [.float("alpha", try node.float("alpha", default: 0.01))])
        },
        "HardSigmoid": { context, node throws(ONNXError) in
            context.emit(node, as: "HardSigmoid", inputs: [context.input(node)], attributes: [
                .float("alpha", try node.float("alpha", default: 0.2)), .float("beta", try node.float("beta", default: 0.5)),
            ])
        },
        "ReLU6": { context, node throws(ONNXError) in clip(context, node, minimum: 0, maximum: 6) },
        "Clip": { context, node throws(ONNXError) in
            clip(context, node, minimum: try node.float("minimum", default: -.greatestFiniteMagnitude),
                 maximum: try node.float("maximum", default: .greatestFiniteMagnitude))
        },
        "SiLU": silu,
        "Softmax": { context, node throws(ONNXError) in try softmax(context, node, as: "Softmax") },
        "LogSoftmax": { context, node throws(ONNXError) in try softmax(context, node, as: "LogSoftmax") },
        "Add": { context, node throws(ONNXError) in try binary(context, node, as: "Add") },
        "Mul": { context, node throws(ONNXError) in try binary(context, node, as: "Mul") },
        "Sub": { context, node throws(ONNXError) in try binary(context, node, as: "Sub") },
        "Div": { context, node throws(ONNXError) in try binary(context, node, as: "Div") },
    ]

    private static func unary(_ type: String) -> ONNXExporter.Converter {
        { context, node throws(ONNXError) in context.emit(node, as: type, inputs: [context.input(node)]) }
    }

    /// `Clip` with its bounds as scalar initializers `<node>.min` and `<node>.max`.
    private static func clip(_ context: ExportContext, _ node: ExportNode, minimum: Float, maximum: Float) {
        let low = context.floatConstant("\(node.name).min", [minimum], shape: [])
        let high = context.floatConstant("\(node.name).max", [maximum], shape: [])
        context.emit(node, as: "Clip", inputs: [context.input(node), low, high])
    }

    /// `x · sigmoid(x)`: a `Sigmoid` node, then the `Mul` named after the node.
    private static func silu(_ context: ExportContext, _ node: ExportNode) {
        let input = context.input(node)
        let sigmoid = context.uniqueValueName("\(node.name)_sigmoid")
        context.emit("Sigmoid", name: context.uniqueNodeName("\(node.name)_sigmoid"), inputs: [input], outputs: [sigmoid])
        context.emit(node, as: "Mul", inputs: [input, sigmoid])
    }

    /// Shrink's softmaxes run along one axis, as opset 13 and later do.
    private static func softmax(_ context: ExportContext, _ node: ExportNode, as type: String) throws(ONNXError) {
        context.emit(node, as: type, inputs: [context.input(node)], attributes: [.int("axis", try node.int("axis", default: -1))])
    }

    /// Two activations; more (`Add`, `Mul`) as a left-to-right chain whose last node carries the
    /// node's name; or one activation and the node's `constant` weight, in the order
    /// `constant_first` gives (ONNX broadcasts the constant, of shape `constant_shape`, the
    /// same way).
    private static func binary(_ context: ExportContext, _ node: ExportNode, as type: String) throws(ONNXError) {
        if try node.int("constant", default: 0) == 1 {
            let constant = try context.weight(node, "constant")
            let input = context.input(node)
            let first = try node.int("constant_first", default: 0) == 1
            context.emit(node, as: type, inputs: first ? [constant, input] : [input, constant])
            return
        }
        let inputs = node.node.inputs.indices.map { context.input(node, $0) }
        guard inputs.count >= 2 else { throw node.failure("needs two inputs, got \(inputs.count)") }
        var partial = inputs[0]
        for (position, operand) in inputs.enumerated().dropFirst().dropLast() {
            let output = context.uniqueValueName("\(node.name)_partial\(position)")
            context.emit(type, name: context.uniqueNodeName("\(node.name)_\(position)"), inputs: [partial, operand], outputs: [output])
            partial = output
        }
        context.emit(node, as: type, inputs: [partial, inputs[inputs.count - 1]])
    }
}
