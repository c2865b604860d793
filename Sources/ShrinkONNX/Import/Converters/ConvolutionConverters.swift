import ShrinkGraph
import ShrinkTensor

/// `Conv` (2-D, groups, dilations, pads, `auto_pad`), `BatchNormalization` (folded into a
/// preceding `Conv` whose output only it reads), and the pooling ops.
enum ConvolutionConverters {
    static let all: [String: ONNXImporter.Converter] = [
        "Conv": convolution,
        "BatchNormalization": batchNormalization,
        "MaxPool": { context, node throws(ONNXError) in try pool(context, node, type: "MaxPool2D") },
        "AveragePool": { context, node throws(ONNXError) in try pool(context, node, type: "AveragePool2D") },
        "GlobalAveragePool": globalAveragePool,
    ]

    /// The spatial extent `[height, width]` of a rank-4 activation, or an error.
    static func spatialInput(_ shape: ValueShape, node: ONNXNode) throws(ONNXError) -> (channels: Int, height: Int, width: Int) {
        guard shape.rank == 4, let sample = shape.sampleShape else {
            throw node.unsupported("Shrink imports 2-D windows over [batch, channels, height, width], got \(shape)")
        }
        return (sample[0], sample[1], sample[2])
    }

    /// Pads `[top, left, bottom, right]` from `pads` or `auto_pad`.
    static func pads(_ node: ONNXNode, input: (height: Int, width: Int), kernel: [Int], strides: [Int], dilations: [Int]) throws(ONNXError) -> [Int] {
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        switch autoPad {
        case "NOTSET", "":
            let pads = try node.ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4, pads.allSatisfy({ (0...(1 << 20)).contains($0) }) else {
                throw node.unsupported("pads \(pads) (4 values in 0…1048576 for 2-D)")
            }
            return pads
        case "VALID": return [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            var begin = [0, 0], end = [0, 0]
            for (axis, size) in [input.height, input.width].enumerated() {
                let output = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (output - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - size)
                let small = total / 2, large = total - small
                (begin[axis], end[axis]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small)
            }
            return [begin[0], begin[1], end[0], end[1]]
        default: throw node.unsupported("auto_pad '\(autoPad)'")
        }
    }

    static func pair(_ node: ONNXNode, _ name: String) throws(ONNXError) -> [Int] {
        let values = try node.ints(name) ?? [1, 1]
        guard values.count == 2, values.allSatisfy({ (1...(1 << 16)).contains($0) }) else {
            throw node.unsupported("\(name) \(values) (two values in 1…65536 for 2-D)")
        }
        return values
    }

    private static func convolution(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        let (channels, height, width) = try spatialInput(input.shape, node: node)
        let weight = try context.constant(node, 1, "weight")
        guard weight.shape.count == 4, let weightValues = weight.floats else { throw node.unsupported("weight of shape \(weight.shape) (4-D float needed)") }
        let groups = try node.int("group", default: 1)
        let kernel = Array(weight.shape[2...])
        if let declared = try node.ints("kernel_shape"), declared != kernel {
            throw node.unsupported("kernel_shape \(declared) differs from the weight's \(kernel)")
        }
        guard groups >= 1, weight.shape[1] * groups == channels else {
            throw node.unsupported("weight \(weight.shape) with \(groups) group(s) does not fit \(channels) input channels")
        }
        let strides = try pair(node, "strides"), dilations = try pair(node, "dilations")
        let pads = try pads(node, input: (height, width), kernel: kernel, strides: strides, dilations: dilations)
        var weights = [Tensor(shape: weight.shape, scalars: weightValues)]
        if let bias = try context.optionalConstant(node, 2, "bias") {
            guard bias.count == weight.shape[0], let values = bias.floats else { throw node.unsupported("bias of shape \(bias.shape)") }
            weights.append(Tensor(shape: [weight.shape[0]], scalars: values))
        }
        try context.emit(node, type: "Conv2D", attributes: [
            "input_channels": .int(channels), "output_channels": .int(weight.shape[0]), "groups": .int(groups),
            "bias": .int(weights.count == 2 ? 1 : 0), "kernel_shape": .ints(kernel), "strides": .ints(strides),
            "pads": .ints(pads), "dilations": .ints(dilations),
        ], inputs: [input.name], weights: weights)
    }

    private static func batchNormalization(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        guard try node.int("training_mode", default: 0) == 0, node.outputs.filter({ !$0.isEmpty }).count == 1 else {
            throw node.unsupported("training-mode BatchNormalization (running statistics as outputs) is not imported")
        }
        guard try node.int("spatial", default: 1) == 1 else { throw node.unsupported("spatial = 0 (opset < 9) is not imported") }
        guard input.shape.rank >= 2, let channels = input.shape[1].fixedValue else { throw node.unsupported("needs a channel axis, got \(input.shape)") }
        var parameters = [[Float]]()
        for (index, role) in ["scale", "bias", "mean", "variance"].enumerated() {
            let constant = try context.constant(node, index + 1, role)
            guard constant.count == channels, let values = constant.floats else {
                throw node.unsupported("\(role) of shape \(constant.shape) for \(channels) channels")
            }
            parameters.append(values)
        }
        let epsilon = try node.float("epsilon", default: 1e-5)
        if try fold(context, node, input: input.name, parameters: parameters, epsilon: epsilon) { return }
        try context.emit(node, type: "BatchNormalization", attributes: ["channels": .int(channels), "epsilon": .float(epsilon)],
                         inputs: [input.name], weights: parameters.map { Tensor(shape: [channels], scalars: $0) })
    }

    /// Folds the normalization into the `Conv2D` producing its input when nothing else reads
    /// that convolution's output: `W' = W·s`, `b' = (b − mean)·s + β` with `s = γ/√(var + ε)`.
    private static func fold(_ context: ImportContext, _ node: ONNXNode, input: String, parameters: [[Float]], epsilon: Float) throws(ONNXError) -> Bool {
        guard let onnxInput = node.input(0), context.hasSingleReader(onnxInput),
              let convolution = context.producer(of: input), convolution.operatorType == "Conv2D",
              var weight = context.tensors[convolution.weightName("weight")] else { return false }
        let (scale, shift, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let channels = scale.count
        let factors = (0..<channels).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
        let perChannel = weight.count / channels
        for channel in 0..<channels {
            for index in (channel * perChannel)..<((channel + 1) * perChannel) { weight.scalars[index] *= factors[channel] }
        }
        let oldBias = context.tensors[convolution.weightName("bias")]?.scalars ?? [Float](repeating: 0, count: channels)
        let bias = (0..<channels).map { (oldBias[$0] - mean[$0]) * factors[$0] + shift[$0] }
        context.tensors[convolution.weightName("weight")] = weight
        context.tensors[convolution.weightName("bias")] = Tensor(shape: [channels], scalars: bias)
        context.updateProducer(of: input) { $0.attributes["bias"] = .int(1) }
        context.define(node.outputs[0], as: .activation(name: input, shape: context.shape(ofShrinkValue: input)!))
        context.notes.append("BatchNormalization '\(node.proto.name)' folded into '\(convolution.name)'")
        return true
    }

    private static func pool(_ context: ImportContext, _ node: ONNXNode, type: String) throws(ONNXError) {
        let input = try context.activation(node)
        let (_, height, width) = try spatialInput(input.shape, node: node)
        guard node.outputs.filter({ !$0.isEmpty }).count == 1 else { throw node.unsupported("the Indices output is not imported") }
        guard let kernel = try node.ints("kernel_shape"), kernel.count == 2, kernel.allSatisfy({ (1...(1 << 20)).contains($0) }) else {
            throw node.unsupported("needs a 2-D kernel_shape")
        }
        guard try pair(node, "dilations") == [1, 1] else { throw node.unsupported("dilated pooling is not imported") }
        let strides = try pair(node, "strides")
        let pads = try pads(node, input: (height, width), kernel: kernel, strides: strides, dilations: [1, 1])
        var attributes: Attributes = ["kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(pads),
                                      "ceil_mode": .int(try node.int("ceil_mode", default: 0))]
        if type == "AveragePool2D" { attributes["count_include_pad"] = .int(try node.int("count_include_pad", default: 0)) }
        try context.emit(node, type: type, attributes: attributes, inputs: [input.name], weights: [])
    }

    private static func globalAveragePool(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        _ = try spatialInput(input.shape, node: node)
        try context.emit(node, type: "GlobalAveragePool", attributes: [:], inputs: [input.name], weights: [])
    }
}
