import ShrinkTensor

/// ONNX `QLinearMatMul` with a constant right operand: 8-bit codes `a` `[batch, K]` (or
/// `[batch, M, K]`, any rank ≥ 2) times the weight `b` `[K, N]` (role `.other`: integer codes, which compression techniques must not rewrite), both
/// float-carried integers, into 8-bit codes `[batch, N]`:
/// `y = saturate(round(Σ (a − a_zero_point)(b − b_zero_point) · a_scale · b_scale / y_scale +
/// y_zero_point))`. The sums are int32 (`IntegerMatrixProduct`) and the requantization is the
/// ONNX reference's (`IntegerCodes.requantize`: multiplier in float32, product in double,
/// rounding half to even), with the spec's saturation to `0…255` (`signed` = 0) or
/// `−128…127` (`signed` = 1) where the reference's cast would wrap.
///
/// Attributes: `input_features` (K) and `output_features` (N) ints, required (they fix the
/// weight's shape); `a_scale` float; `a_zero_point` int (0); `b_scale` floats (one, or one per
/// column N); `b_zero_point` ints (`[]`: 0; one, or one per column); `y_scale` float (nonzero);
/// `y_zero_point` int (0, inside the output range); `signed` int 0/1 (0).
///
/// Inference only: its kernel's backward returns nil and adds nothing (`InferenceOnlyKernel`).
public struct QuantizedMatrixMultiplicationOperator: Operator {
    public static let typeName = "QLinearMatMul"
    public static let attributeDeclarations = [
        AttributeDeclaration("input_features", .int),
        AttributeDeclaration("output_features", .int),
        AttributeDeclaration("a_scale", .float),
        AttributeDeclaration("a_zero_point", .int, default: .int(0)),
        AttributeDeclaration("b_scale", .floats),
        AttributeDeclaration("b_zero_point", .ints, default: .ints([])),
        AttributeDeclaration("y_scale", .float),
        AttributeDeclaration("y_zero_point", .int, default: .int(0)),
        AttributeDeclaration("signed", .int, default: .int(0)),
    ]

    var product: IntegerMatrixProduct
    var requantization: Requantization

    public init(inputFeatures: Int, outputFeatures: Int, inputScale: Float, inputZeroPoint: Int = 0,
                weightScales: [Float], weightZeroPoints: [Int] = [], outputScale: Float, outputZeroPoint: Int = 0,
                isSigned: Bool = false) {
        product = IntegerMatrixProduct(inputFeatures: inputFeatures, outputFeatures: outputFeatures,
                                       inputZeroPoint: inputZeroPoint, weightZeroPoints: weightZeroPoints)
        requantization = Requantization(inputScale: inputScale, weightScales: weightScales, outputScale: outputScale,
                                        outputZeroPoint: outputZeroPoint, isSigned: isSigned)
    }

    public init(attributes: Attributes) throws(OperatorError) {
        product = IntegerMatrixProduct(inputFeatures: try attributes.int("input_features"),
                                       outputFeatures: try attributes.int("output_features"),
                                       inputZeroPoint: try attributes.int("a_zero_point"),
                                       weightZeroPoints: try attributes.ints("b_zero_point"))
        try product.validate()
        requantization = Requantization(inputScale: try attributes.float("a_scale"), weightScales: try attributes.floats("b_scale"),
                                        outputScale: try attributes.float("y_scale"),
                                        outputZeroPoint: try attributes.int("y_zero_point"), isSigned: try attributes.bool("signed"))
        try requantization.validate(channels: product.outputFeatures, names: ("a_scale", "b_scale", "y_scale", "y_zero_point"))
    }

    public var attributes: Attributes {
        ["input_features": .int(product.inputFeatures), "output_features": .int(product.outputFeatures),
         "a_scale": .float(requantization.inputScale), "a_zero_point": .int(product.inputZeroPoint),
         "b_scale": .floats(requantization.weightScales), "b_zero_point": .ints(product.weightZeroPoints),
         "y_scale": .float(requantization.outputScale), "y_zero_point": .int(requantization.outputZeroPoint),
         "signed": .int(requantization.isSigned ? 1 : 0)]
    }

    public var weights: [WeightDeclaration] { [WeightDeclaration(name: "b", shape: product.weightShape, role: .other)] }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        [try product.outputShape(inputShapes[0])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let outputs = outputShapes[0].reduce(1, *)
        return OperationCount(multiplyAccumulates: product.multiplyAccumulates(outputShape: outputShapes[0]),
                              multiplies: outputs, additions: outputs, comparisons: 2 * outputs)
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        QuantizedMatrixMultiplicationKernel(name: name, product: product, requantization: requantization, weight: weights[0])
    }
}

/// Runs `QLinearMatMul`: int32 sums, requantized per column.
final class QuantizedMatrixMultiplicationKernel: InferenceOnlyKernel {
    let name: String
    let product: IntegerMatrixProduct
    let requantization: Requantization
    let weight: Parameter

    init(name: String, product: IntegerMatrixProduct, requantization: Requantization, weight: Parameter) {
        self.name = name
        self.product = product
        self.requantization = requantization
        self.weight = weight
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0], columns = product.outputFeatures
        let sums = product.accumulators(input: input, weight: weight.value)
        let multipliers = (0..<columns).map(requantization.multiplier)
        let scalars = sums.indices.map { index in requantization.apply(sums[index], multiplier: multipliers[index % columns]) }
        return [Tensor(shape: Array(input.shape.dropLast()) + [columns], scalars: scalars)]
    }
}
