import ShrinkGraph
import ShrinkTensor

/// The QDQ and QOperator ops: `QuantizeLinear`, `DequantizeLinear`, `MatMulInteger`,
/// `QLinearMatMul`, `QLinearConv`. Scales and zero points must be constants; they become
/// attributes. A `DequantizeLinear` of a constant (a QDQ model's weight) is folded to floats.
enum QuantizationConverters {
    static let all: [String: ONNXImporter.Converter] = [
        "QuantizeLinear": quantize,
        "DequantizeLinear": dequantize,
        "MatMulInteger": matmulInteger,
        "QLinearMatMul": qlinearMatmul,
        "QLinearConv": qlinearConvolution,
    ]

    /// Scale values of input `index`.
    private static func scales(_ context: ImportContext, _ node: ONNXNode, _ index: Int, _ role: String) throws(ONNXError) -> [Float] {
        let constant = try context.constant(node, index, role)
        guard let values = constant.floats, !values.isEmpty, constant.shape.count <= 1 else {
            throw node.unsupported("\(role) must be a float scalar or vector, got shape \(constant.shape)")
        }
        return values
    }

    /// Zero points of input `index` (absent: 0) and whether their type is signed.
    private static func zeroPoints(_ context: ImportContext, _ node: ONNXNode, _ index: Int, _ role: String) throws(ONNXError) -> (values: [Int], signed: Bool) {
        guard let constant = try context.optionalConstant(node, index, role) else { return ([], false) }
        guard let values = constant.integers, constant.shape.count <= 1 else { throw node.unsupported("\(role) must be an integer scalar or vector") }
        switch constant.elementType {
        case .uint8: return (values, false)
        case .int8: return (values, true)
        default: throw node.unsupported("\(role) of type \(constant.elementType.name) (8-bit integers only)")
        }
    }

    /// The elements of `values` (one per slice along `axis` of `shape`) broadcast per element.
    private static func perElement(_ values: [Float], shape: [Int], axis: Int) -> (Int) -> Float {
        if values.count == 1 { return { _ in values[0] } }
        let inner = shape[(axis + 1)...].reduce(1, *), size = shape[axis]
        return { index in values[(index / inner) % size] }
    }

    /// A constant's values with its scale and zero point per element (per tensor, or per slice
    /// of the node's `axis`).
    private static func elementParameters(_ constant: ONNXConstant, scale: [Float], zero: [Int], node: ONNXNode) throws(ONNXError)
        -> (values: [Float], scaleAt: (Int) -> Float, zeroAt: (Int) -> Float) {
        guard let values = constant.floats else { throw node.unsupported("a symbolic input") }
        let rank = constant.shape.count
        let axis = rank == 0 || scale.count == 1 ? 0
            : try ShapeArithmetic.normalizedAxis(try node.int("axis", default: 1), rank: rank, node: node)
        return (values, perElement(scale, shape: constant.shape, axis: axis),
                perElement(zero.isEmpty ? [0] : zero.map(Float.init), shape: constant.shape, axis: axis))
    }

    /// The `axis` attribute of a Shrink quantization node: it matters (and must fit the rank)
    /// only with one scale per slice.
    private static func attributeAxis(_ node: ONNXNode, scale: [Float], rank: Int) throws(ONNXError) -> Int {
        let axis = try node.int("axis", default: 1)
        return scale.count == 1 ? axis : try ShapeArithmetic.normalizedAxis(axis, rank: rank, node: node)
    }

    private static func quantize(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard try node.int("block_size", default: 0) == 0 else { throw node.unsupported("blocked quantization (block_size) is not imported") }
        let scale = try scales(context, node, 1, "y_scale")
        let (zero, signed) = try zeroPoints(context, node, 2, "y_zero_point")
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        switch try context.value(input, for: node) {
        case let .constant(constant):
            let (values, scaleAt, zeroAt) = try elementParameters(constant, scale: scale, zero: zero, node: node)
            let (low, high): (Float, Float) = signed ? (-128, 127) : (0, 255)
            let codes = values.indices.map { index -> Dimension in
                let code = (values[index] / scaleAt(index)).rounded(.toNearestOrEven) + zeroAt(index)
                return .fixed(Int(min(max(code, low), high)))
            }
            context.define(node.outputs[0], as: .constant(ONNXConstant(elementType: signed ? .int8 : .uint8, shape: constant.shape,
                                                                      storage: .integers(codes))))
        case let .activation(name, shape):
            let axis = try attributeAxis(node, scale: scale, rank: shape.rank)
            try context.emit(node, type: "QuantizeLinear", attributes: [
                "scale": .floats(scale), "zero_point": .ints(zero), "axis": .int(axis), "signed": .int(signed ? 1 : 0),
            ], inputs: [name], weights: [])
        }
    }

    private static func dequantize(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard try node.int("block_size", default: 0) == 0 else { throw node.unsupported("blocked quantization (block_size) is not imported") }
        let scale = try scales(context, node, 1, "x_scale")
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        let zero: [Int]
        if let constant = try context.optionalConstant(node, 2, "x_zero_point") {
            guard let values = constant.integers else { throw node.unsupported("symbolic zero point") }
            zero = values
        } else {
            zero = []
        }
        switch try context.value(input, for: node) {
        case let .constant(constant):
            let (values, scaleAt, zeroAt) = try elementParameters(constant, scale: scale, zero: zero, node: node)
            let floats = values.indices.map { (values[$0] - zeroAt($0)) * scaleAt($0) }
            context.define(node.outputs[0], as: .constant(ONNXConstant(shape: constant.shape, floats: floats)))
        case let .activation(name, shape):
            let axis = try attributeAxis(node, scale: scale, rank: shape.rank)
            try context.emit(node, type: "DequantizeLinear", attributes: [
                "scale": .floats(scale), "zero_point": .ints(zero), "axis": .int(axis),
            ], inputs: [name], weights: [])
        }
    }

    /// The constant integer matrix input `index` as float-carried integers `[K, N]`.
    private static func integerMatrix(_ context: ImportContext, _ node: ONNXNode, _ index: Int, _ role: String) throws(ONNXError) -> Tensor {
        let constant = try context.constant(node, index, role)
        guard constant.shape.count == 2, let values = constant.floats else { throw node.unsupported("\(role) must be a 2-D constant, got \(constant.shape)") }
        return Tensor(shape: constant.shape, scalars: values)
    }

    private static func matmulInteger(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        let b = try integerMatrix(context, node, 1, "B")
        let aZero = try zeroPoints(context, node, 2, "a_zero_point").values
        let bZero = try zeroPoints(context, node, 3, "b_zero_point").values
        try context.emit(node, type: "MatMulInteger", attributes: [
            "input_features": .int(b.shape[0]), "output_features": .int(b.shape[1]),
            "a_zero_point": .ints(aZero), "b_zero_point": .ints(bZero)],
                         inputs: [input.name], weights: [b])
    }

    private static func scalar(_ values: [Float], _ role: String, _ node: ONNXNode) throws(ONNXError) -> Float {
        guard values.count == 1 else { throw node.unsupported("\(role) must be one value (per-tensor)") }
        return values[0]
    }

    private static func qlinearMatmul(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        let aScale = try scalar(try scales(context, node, 1, "a_scale"), "a_scale", node)
        let aZero = try zeroPoints(context, node, 2, "a_zero_point").values
        let b = try integerMatrix(context, node, 3, "b")
        let bScale = try scales(context, node, 4, "b_scale")
        let bZero = try zeroPoints(context, node, 5, "b_zero_point").values
        let yScale = try scalar(try scales(context, node, 6, "y_scale"), "y_scale", node)
        let (yZero, signed) = try zeroPoints(context, node, 7, "y_zero_point")
        try context.emit(node, type: "QLinearMatMul", attributes: [
            "input_features": .int(b.shape[0]), "output_features": .int(b.shape[1]),
            "a_scale": .float(aScale), "a_zero_point": .int(aZero.first ?? 0), "b_scale": .floats(bScale), "b_zero_point": .ints(bZero),
            "y_scale": .float(yScale), "y_zero_point": .int(yZero.first ?? 0), "signed": .int(signed ? 1 : 0),
        ], inputs: [input.name], weights: [b])
    }

    private static func qlinearConvolution(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        let (channels, height, width) = try ConvolutionConverters.spatialInput(input.shape, node: node)
        let xScale = try scalar(try scales(context, node, 1, "x_scale"), "x_scale", node)
        let xZero = try zeroPoints(context, node, 2, "x_zero_point").values
        let weight = try context.constant(node, 3, "w")
        guard weight.shape.count == 4, let weightValues = weight.floats else { throw node.unsupported("w of shape \(weight.shape) (4-D needed)") }
        let wScale = try scales(context, node, 4, "w_scale")
        let wZero = try zeroPoints(context, node, 5, "w_zero_point").values
        let yScale = try scalar(try scales(context, node, 6, "y_scale"), "y_scale", node)
        let (yZero, signed) = try zeroPoints(context, node, 7, "y_zero_point")
        let groups = try node.int("group", default: 1)
        guard groups >= 1, weight.shape[1] * groups == channels else { throw node.unsupported("w \(weight.shape) does not fit \(channels) channels in \(groups) group(s)") }
        let kernel = Array(weight.shape[2...])
        let strides = try ConvolutionConverters.pair(node, "strides"), dilations = try ConvolutionConverters.pair(node, "dilations")
        let pads = try ConvolutionConverters.pads(node, input: (height, width), kernel: kernel, strides: strides, dilations: dilations)
        var weights = [Tensor(shape: weight.shape, scalars: weightValues)]
        if let bias = try context.optionalConstant(node, 8, "B") {
            guard bias.count == weight.shape[0], let values = bias.floats else { throw node.unsupported("B of shape \(bias.shape)") }
            weights.append(Tensor(shape: [weight.shape[0]], scalars: values))
        }
        try context.emit(node, type: "QLinearConv", attributes: [
            "input_channels": .int(channels), "output_channels": .int(weight.shape[0]), "groups": .int(groups),
            "bias": .int(weights.count == 2 ? 1 : 0), "kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(pads),
            "dilations": .ints(dilations), "x_scale": .float(xScale), "x_zero_point": .int(xZero.first ?? 0),
            "w_scale": .floats(wScale), "w_zero_point": .ints(wZero), "y_scale": .float(yScale), "y_zero_point": .int(yZero.first ?? 0),
            "signed": .int(signed ? 1 : 0),
        ], inputs: [input.name], weights: weights)
    }
}
