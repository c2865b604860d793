/// Shrink's `QuantizeLinear` and `DequantizeLinear` (activations carried as floats holding
/// integer codes) as ONNX's. A `QuantizeLinear`'s codes feed the `DequantizeLinear`s reading
/// them directly; any other reader (or a graph output) reads a `Cast` of them to float, under
/// the Shrink value's name. A `DequantizeLinear` of a value no `QuantizeLinear` produced is the
/// same arithmetic in float: `(x − zero_point) · scale`.
enum QuantizationExport {
    static let all: [String: ONNXExporter.Converter] = [
        "QuantizeLinear": quantize,
        "DequantizeLinear": dequantize,
    ]

    /// Scales and zero points as initializers: scalars per tensor, vectors along `axis`.
    private static func parameters(_ context: ExportContext, _ node: ExportNode, signed: Bool) throws(ONNXError)
        -> (scale: String, zeroPoint: String, attributes: [Onnx_AttributeProto]) {
        let scales = try node.floats("scale")
        var zeroPoints = try node.ints("zero_point", default: []).map { Int32(clamping: $0) }
        if zeroPoints.isEmpty { zeroPoints = [Int32](repeating: 0, count: scales.count) }
        guard !scales.isEmpty, zeroPoints.count == scales.count else {
            throw node.failure("\(scales.count) scales and \(zeroPoints.count) zero points")
        }
        let range: ClosedRange<Int32> = signed ? -128...127 : 0...255
        guard zeroPoints.allSatisfy(range.contains) else { throw node.failure("zero points \(zeroPoints) outside \(range)") }
        let perAxis = scales.count > 1
        let shape = perAxis ? [scales.count] : []
        let scale = context.floatConstant("\(node.name).scale", scales, shape: shape)
        let zeroPoint = context.codeConstant("\(node.name).zero_point", zeroPoints, signed: signed, shape: shape)
        return (scale, zeroPoint, perAxis ? [.int("axis", try node.int("axis", default: 1))] : [])
    }

    private static func quantize(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        let signed = try node.int("signed", default: 0) == 1
        let (scale, zeroPoint, attributes) = try parameters(context, node, signed: signed)
        let output = node.output
        let codes = context.uniqueValueName("\(output)_codes")
        context.emit("QuantizeLinear", name: node.name, inputs: [context.input(node), scale, zeroPoint], outputs: [codes],
                     attributes: attributes)
        context.integerValues[output] = (codes, signed)
        let readers = context.consumers[output] ?? []
        let graph = context.resolved.graph
        if graph.outputs.contains(output) || readers.contains(where: { graph.nodes[$0].operatorType != "DequantizeLinear" }) {
            context.emit("Cast", name: context.uniqueNodeName("\(node.name)_to_float"), inputs: [codes], outputs: [output],
                         attributes: [.int("to", ONNXElementType.float.rawValue)])
        }
    }

    private static func dequantize(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        if let codes = context.integerValues[node.node.inputs[0]] {
            let (scale, zeroPoint, attributes) = try parameters(context, node, signed: codes.signed)
            context.emit(node, as: "DequantizeLinear", inputs: [codes.name, scale, zeroPoint], attributes: attributes)
            return
        }
        let scales = try node.floats("scale")
        var zeroPoints = try node.ints("zero_point", default: []).map(Float.init)
        if zeroPoints.isEmpty { zeroPoints = [Float](repeating: 0, count: scales.count) }
        guard !scales.isEmpty, zeroPoints.count == scales.count else {
            throw node.failure("\(scales.count) scales and \(zeroPoints.count) zero points")
        }
        var shape = [Int]()
        if scales.count > 1 {
            let rank = node.inputShapes[0].rank
            let axis = try node.int("axis", default: 1)
            let normalized = axis < 0 ? axis + rank : axis
            guard (0..<rank).contains(normalized), node.inputShapes[0][normalized] == .fixed(scales.count) else {
                throw node.failure("\(scales.count) scales along axis \(axis) of \(node.inputShapes[0])")
            }
            shape = (0..<rank).map { $0 == normalized ? scales.count : 1 }
        }
        var current = context.input(node)
        if zeroPoints.contains(where: { $0 != 0 }) {
            let zero = context.floatConstant("\(node.name).zero_point", zeroPoints, shape: shape)
            let centered = context.uniqueValueName("\(node.name)_centered")
            context.emit("Sub", name: context.uniqueNodeName("\(node.name)_sub"), inputs: [current, zero], outputs: [centered])
            current = centered
        }
        context.emit(node, as: "Mul", inputs: [current, context.floatConstant("\(node.name).scale", scales, shape: shape)])
    }
}
