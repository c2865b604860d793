/// `Conv2D` as `Conv`, `BatchNormalization`, and the pooling ops. Shrink's pads are already
/// ONNX's `[top, left, bottom, right]`.
enum ConvolutionExport {
    static let all: [String: ONNXExporter.Converter] = [
        "Conv2D": convolution,
        "BatchNormalization": batchNormalization,
        "MaxPool2D": { context, node throws(ONNXError) in try pool(context, node, as: "MaxPool") },
        "AveragePool2D": { context, node throws(ONNXError) in try pool(context, node, as: "AveragePool") },
        "GlobalAveragePool": { context, node throws(ONNXError) in context.emit(node, as: "GlobalAveragePool", inputs: [context.input(node)]) },
    ]

    private static func convolution(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        var inputs = [context.input(node), try context.matrixWeight(node, "weight")]
        if let bias = try context.bias(node) { inputs.append(bias) }
        context.emit(node, as: "Conv", inputs: inputs, attributes: [
            .ints("kernel_shape", try node.ints("kernel_shape")), .ints("strides", try node.ints("strides", default: [1, 1])),
            .ints("pads", try node.ints("pads", default: [0, 0, 0, 0])), .ints("dilations", try node.ints("dilations", default: [1, 1])),
            .int("group", try node.int("groups", default: 1)),
        ])
    }

    /// Inference `BatchNormalization`; Shrink's (PyTorch's) momentum `m` is ONNX's `1 − m`.
    private static func batchNormalization(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        var inputs = [context.input(node)]
        for weight in ["weight", "bias", "running_mean", "running_var"] { inputs.append(try context.weight(node, weight)) }
        context.emit(node, as: "BatchNormalization", inputs: inputs, attributes: [
            .float("epsilon", try node.float("epsilon", default: 1e-5)), .float("momentum", 1 - (try node.float("momentum", default: 0.1))),
        ])
    }

    private static func pool(_ context: ExportContext, _ node: ExportNode, as type: String) throws(ONNXError) {
        let kernel = try node.ints("kernel_shape"), strides = try node.ints("strides", default: [1, 1])
        let pads = try node.ints("pads", default: [0, 0, 0, 0])
        let ceilMode = try node.int("ceil_mode", default: 0)
        if ceilMode == 1 { try checkCeilMode(node, kernel: kernel, strides: strides, pads: pads) }
        var attributes: [Onnx_AttributeProto] = [.ints("kernel_shape", kernel), .ints("strides", strides), .ints("pads", pads)]
        if ceilMode == 1 { attributes.append(.int("ceil_mode", 1)) }
        if type == "AveragePool" { attributes.append(.int("count_include_pad", try node.int("count_include_pad", default: 0))) }
        context.emit(node, as: type, inputs: [context.input(node)], attributes: attributes)
    }

    /// Shrink's `ceil_mode` drops a last window that would start in the end padding (as
    /// PyTorch does); opset 17's formula keeps it, and ONNX tools disagree on such models
    /// (onnx 1.16's checker infers the larger size and rejects the declared output shape;
    /// onnxruntime 1.32 plans one size and computes the other). The export is refused there.
    private static func checkCeilMode(_ node: ExportNode, kernel: [Int], strides: [Int], pads: [Int]) throws(ONNXError) {
        guard node.inputShapes[0].rank == 4, node.outputShapes[0].rank == 4 else { return }
        for axis in 0..<2 {
            guard let input = node.inputShapes[0][axis + 2].fixedValue, let output = node.outputShapes[0][axis + 2].fixedValue else { continue }
            let padded = input + pads[axis] + pads[axis + 2] - kernel[axis]
            let onnx = (padded + strides[axis] - 1) / strides[axis] + 1
            guard onnx == output else {
                throw node.failure("ceil_mode gives \(output) positions on axis \(axis + 2) but ONNX's opset 17 formula gives \(onnx)")
            }
        }
    }
}
