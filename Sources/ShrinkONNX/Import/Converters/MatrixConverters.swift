import ShrinkGraph
import ShrinkTensor

/// `Gemm` and `MatMul`. A constant right operand makes a `Linear` (the weight Shrink compresses);
/// two activations make Shrink's batched `MatMul`.
enum MatrixConverters {
    static let all: [String: ONNXImporter.Converter] = [
        "Gemm": gemm,
        "MatMul": matmul,
    ]

    /// `Y = α·op(A)·op(B) + β·C` with a constant B: `Linear` with weight `α·op(B)ᵀ` and bias
    /// `β·C` when C is per output feature; a full `[M, N]` C becomes a following `Add`.
    private static func gemm(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let input = try context.activation(node)
        guard try node.int("transA", default: 0) == 0 else { throw node.unsupported("transA = 1 transposes the batch axis away") }
        let b = try context.constant(node, 1, "B matrix")
        guard b.shape.count == 2, var values = b.floats else { throw node.unsupported("B must be a float matrix, got shape \(b.shape)") }
        let transposeB = try node.int("transB", default: 0) != 0
        let alpha = try node.float("alpha", default: 1), beta = try node.float("beta", default: 1)
        let (inputs, outputs) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard input.shape.rank == 2, input.shape[1] == .fixed(inputs) else {
            throw node.unsupported("A \(input.shape) does not fit B \(b.shape)\(transposeB ? "ᵀ" : "")")
        }
        if !transposeB { values = transposedMatrix(values, rows: b.shape[0], columns: b.shape[1]) }
        if alpha != 1 { values = values.map { $0 * alpha } }
        let weight = Tensor(shape: [outputs, inputs], scalars: values)
        var bias: Tensor?
        var fullBias: ONNXConstant?
        if let c = try context.optionalConstant(node, 2, "C matrix"), beta != 0 {
            guard let cValues = c.floats else { throw node.unsupported("C must be a float tensor") }
            if c.count == 1 {
                bias = Tensor(shape: [outputs], scalars: [Float](repeating: cValues[0] * beta, count: outputs))
            } else if c.count == outputs && c.shape.last == outputs {
                bias = Tensor(shape: [outputs], scalars: cValues.map { $0 * beta })
            } else if ShapeArithmetic.broadcast(c.shape, [input.shape[0].fixedValue ?? 1, outputs]) != nil {
                fullBias = ONNXConstant(shape: c.shape, floats: cValues.map { $0 * beta })
            } else {
                throw node.unsupported("C of shape \(c.shape) does not broadcast to [M, \(outputs)]")
            }
        }
        let attributes: Attributes = ["input_features": .int(inputs), "output_features": .int(outputs), "bias": .int(bias == nil ? 0 : 1)]
        guard let fullBias else {
            try context.emit(node, type: "Linear", attributes: attributes, inputs: [input.name], weights: [weight] + (bias.map { [$0] } ?? []))
            return
        }
        let product = try context.emitIntermediate(type: "Linear", base: "\(node.name)_product", attributes: attributes,
                                                   inputs: [input.name], weights: [weight], nodeLabel: node.name)
        try context.emit(node, type: "Add", attributes: ["constant": .int(1), "constant_shape": .ints(fullBias.shape)],
                         inputs: [product.name], weights: [fullBias.tensor()!])
    }

    /// `MatMul` of an activation `[batch, K]` by a constant `[K, N]` is a bias-free `Linear`
    /// (a following `Add` of a per-feature constant becomes its bias); two activations of equal
    /// rank ≥ 3 are Shrink's `MatMul`.
    private static func matmul(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard let leftName = node.input(0), let rightName = node.input(1) else { throw node.unsupported("needs two inputs") }
        let left = try context.value(leftName, for: node), right = try context.value(rightName, for: node)
        switch (left, right) {
        case let (.activation(name, shape), .constant(b)):
            guard b.shape.count == 2, let values = b.floats else { throw node.unsupported("a constant right operand of shape \(b.shape) (2-D needed)") }
            guard shape.rank == 2, shape[1] == .fixed(b.shape[0]) else {
                throw node.unsupported("\(shape) × constant \(b.shape): Shrink imports [batch, K] × [K, N] with a constant")
            }
            let weight = Tensor(shape: [b.shape[1], b.shape[0]], scalars: transposedMatrix(values, rows: b.shape[0], columns: b.shape[1]))
            try context.emit(node, type: "Linear", attributes: ["input_features": .int(b.shape[0]), "output_features": .int(b.shape[1]),
                                                                "bias": .int(0)], inputs: [name], weights: [weight])
        case let (.activation(a, aShape), .activation(b, bShape)):
            guard aShape.rank >= 3, aShape.rank == bShape.rank else {
                throw node.unsupported("activations of shapes \(aShape) and \(bShape): Shrink multiplies equal ranks ≥ 3")
            }
            try context.emit(node, type: "MatMul", attributes: [:], inputs: [a, b], weights: [])
        case let (.constant(a), .constant(b)):
            guard a.shape.count == 2, b.shape.count == 2, a.shape[1] == b.shape[0], let x = a.floats, let y = b.floats else {
                throw node.unsupported("only 2-D constant products are folded")
            }
            let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
            _ = try ConstantFolding.checkSize([m, n], node: node)
            var product = [Float](repeating: 0, count: m * n)
            for row in 0..<m { for inner in 0..<k { for column in 0..<n { product[row * n + column] += x[row * k + inner] * y[inner * n + column] } } }
            context.define(node.outputs[0], as: .constant(ONNXConstant(shape: [m, n], floats: product)))
        case (.constant, .activation):
            throw node.unsupported("a constant left operand (constant × activation) is not imported")
        }
    }

    static func transposedMatrix(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for row in 0..<rows { for column in 0..<columns { result[column * rows + row] = values[row * columns + column] } }
        return result
    }
}
