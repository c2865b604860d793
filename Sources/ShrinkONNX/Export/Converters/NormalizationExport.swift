/// `InputNormalization`, `y = (x · scale − mean[c]) / std[c]`, as `Mul`, `Sub` and `Div` by
/// initializers broadcast as `[1, C, 1, …]` (one value: a scalar); steps that change nothing
/// are left out, and a normalization that changes nothing is an `Identity`.
enum NormalizationExport {
    static let all: [String: ONNXExporter.Converter] = [
        "InputNormalization": inputNormalization,
    ]

    private static func inputNormalization(_ context: ExportContext, _ node: ExportNode) throws(ONNXError) {
        let scale = try node.float("scale", default: 1)
        let mean = try node.floats("mean", default: []), deviation = try node.floats("standard_deviation", default: [])
        let shape = node.inputShapes[0]
        func constantShape(_ values: [Float], _ label: String) throws(ONNXError) -> [Int] {
            if values.count == 1 { return [] }
            guard shape.rank >= 2, shape[1] == .fixed(values.count) else {
                throw node.failure("\(values.count) \(label) values for an input of shape \(shape) (1 or one per channel on axis 1)")
            }
            return [1, values.count] + [Int](repeating: 1, count: shape.rank - 2)
        }
        var steps = [(type: String, constant: String)]()
        if scale != 1 { steps.append(("Mul", context.floatConstant("\(node.name).scale", [scale], shape: []))) }
        if !mean.isEmpty && mean.contains(where: { $0 != 0 }) {
            steps.append(("Sub", context.floatConstant("\(node.name).mean", mean, shape: try constantShape(mean, "mean"))))
        }
        if !deviation.isEmpty && deviation.contains(where: { $0 != 1 }) {
            steps.append(("Div", context.floatConstant("\(node.name).standard_deviation", deviation,
                                                       shape: try constantShape(deviation, "standard deviation"))))
        }
        guard let last = steps.popLast() else {
            context.emit(node, as: "Identity", inputs: [context.input(node)])
            return
        }
        var current = context.input(node)
        for step in steps {
            let output = context.uniqueValueName("\(node.name)_\(step.type.lowercased())")
            context.emit(step.type, name: context.uniqueNodeName("\(node.name)_\(step.type.lowercased())"), inputs: [current, step.constant],
                         outputs: [output])
            current = output
        }
        context.emit(node, as: last.type, inputs: [current, last.constant])
    }
}
