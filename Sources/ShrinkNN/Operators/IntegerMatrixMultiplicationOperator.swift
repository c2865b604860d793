import ShrinkTensor

/// ONNX `MatMulInteger` with a constant right operand: `Y = (A − a_zero_point) ·
/// (B − b_zero_point)` of an activation `A` `[batch, K]` (or `[batch, M, K]`, any rank ≥ 2)
/// and the weight `b` `[K, N]` (role `.other`: integer codes, which compression techniques must not rewrite), both float-carried integers, into
/// `[batch, N]` (`[batch, M, N]`) float-carried int32 sums, accumulated in int32
/// (`IntegerMatrixProduct`). The Float output holds the sums exactly up to magnitude 2^24.
///
/// Attributes: `input_features` (K) and `output_features` (N) ints, required (they fix the
/// weight's shape); `a_zero_point` ints (`[]`: 0; else one value; ONNX's per-row zero points
/// are not supported); `b_zero_point` ints (`[]`: 0; one value, or one per column N).
///
/// Inference only: its kernel's backward returns nil and adds nothing (`InferenceOnlyKernel`).
public struct IntegerMatrixMultiplicationOperator: Operator {
    public static let typeName = "MatMulInteger"
    public static let attributeDeclarations = [
        AttributeDeclaration("input_features", .int),
        AttributeDeclaration("output_features", .int),
        AttributeDeclaration("a_zero_point", .ints, default: .ints([])),
        AttributeDeclaration("b_zero_point", .ints, default: .ints([])),
    ]

    var product: IntegerMatrixProduct

    public init(inputFeatures: Int, outputFeatures: Int, inputZeroPoint: Int = 0, weightZeroPoints: [Int] = []) {
        product = IntegerMatrixProduct(inputFeatures: inputFeatures, outputFeatures: outputFeatures,
                                       inputZeroPoint: inputZeroPoint, weightZeroPoints: weightZeroPoints)
    }

    public init(attributes: Attributes) throws(OperatorError) {
        let inputZeroPoints = try attributes.ints("a_zero_point")
        guard inputZeroPoints.count <= 1 else {
            throw OperatorError("a_zero_point must be one value (per-tensor), got \(inputZeroPoints.count)")
        }
        product = IntegerMatrixProduct(inputFeatures: try attributes.int("input_features"),
                                       outputFeatures: try attributes.int("output_features"),
                                       inputZeroPoint: inputZeroPoints.first ?? 0,
                                       weightZeroPoints: try attributes.ints("b_zero_point"))
        try product.validate()
    }

    public var attributes: Attributes {
        ["input_features": .int(product.inputFeatures), "output_features": .int(product.outputFeatures),
         "a_zero_point": .ints([product.inputZeroPoint]), "b_zero_point": .ints(product.weightZeroPoints)]
    }

    public var weights: [WeightDeclaration] { [WeightDeclaration(name: "b", shape: product.weightShape, role: .other)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        [try product.outputShape(inputShapes[0])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplyAccumulates: product.multiplyAccumulates(outputShape: outputShapes[0]))
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        IntegerMatrixMultiplicationKernel(name: name, product: product, weight: weights[0])
    }
}

/// Runs `MatMulInteger`: the int32 sums as Float.
final class IntegerMatrixMultiplicationKernel: InferenceOnlyKernel {
    let name: String
    let product: IntegerMatrixProduct
    let weight: Parameter

    init(name: String, product: IntegerMatrixProduct, weight: Parameter) {
        self.name = name
        self.product = product
        self.weight = weight
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        let sums = product.accumulators(input: input, weight: weight.value)
        return [Tensor(shape: Array(input.shape.dropLast()) + [product.outputFeatures], scalars: sums.map(Float.init))]
    }
}
