/// `Linear` as `Gemm` (weight `[out, in]`, `transB = 1`) and the batched `MatMul`.
enum MatrixExport {
    static let all: [String: ONNXExporter.Converter] = [
        "Linear": linear,
        "MatMul": { context, node throws(ONNXError) in context.emit(node, as: "MatMul", inputs: [context.input(node, 0), context.input(node, 1)]) },
    ]

    private static func linear(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        var inputs = [context.input(node), try context.matrixWeight(node, "weight")]
        if let bias = try context.bias(node) { inputs.append(bias) }
        context.emit(node, as: "Gemm", inputs: inputs, attributes: [.int("transB", 1)])
    }
}
