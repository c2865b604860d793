/// `Flatten`, `Reshape` (Shrink's per-sample shape behind the batch), `Transpose` and `Concat`.
enum ShapeExport {
    static let all: [String: ONNXExporter.Converter] = [
        "Flatten": { context, node throws(ONNXError) in context.emit(node, as: "Flatten", inputs: [context.input(node)], attributes: [.int("axis", 1)]) },
        "Reshape": reshape,
        "Transpose": { context, node throws(ONNXError) in
            context.emit(node, as: "Transpose", inputs: [context.input(node)], attributes: [.ints("perm", try node.ints("permutation"))])
        },
        "Concat": { context, node throws(ONNXError) in
            context.emit(node, as: "Concat", inputs: node.node.inputs.indices.map { context.input(node, $0) },
                         attributes: [.int("axis", try node.int("axis", default: 1))])
        },
    ]

    /// ONNX shape `[0] + shape`: the 0 copies the batch; Shrink's own 0 entries (copy the
    /// input's per-sample size at that position) land one axis later, where ONNX's 0 copies
    /// the same size (`allowzero` = 0).
    private static func reshape(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        let sample = try node.ints("shape")
        let shape = context.int64Constant("\(node.name).shape", [0] + sample, shape: [sample.count + 1])
        context.emit(node, as: "Reshape", inputs: [context.input(node), shape])
    }
}
