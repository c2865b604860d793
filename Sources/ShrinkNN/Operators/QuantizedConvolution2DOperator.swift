import ShrinkTensor

/// ONNX `QLinearConv`: the 2-D convolution of 8-bit codes `x` `[batch, input_channels, H, W]`
/// with the weight `weight` `[output_channels, input_channels / groups, kH, kW]` (role
/// `.matrix`) and, when `bias` = 1, the int32 `bias` `[output_channels]` (role `.bias`), all
/// float-carried integers, into 8-bit codes `[batch, output_channels, H′, W′]`:
/// `y = saturate(round((Σ (x − x_zero_point)(w − w_zero_point[m]) + bias[m]) · x_scale ·
/// w_scale[m] / y_scale + y_zero_point))`. The sums are int32 (`IntegerConvolution`) and the
/// requantization is the ONNX reference's (`IntegerCodes.requantize`), per output channel.
///
/// Attributes: Conv2D's `input_channels`, `output_channels`, `groups` (1), `kernel_shape`,
/// `strides`, `pads` `[top, left, bottom, right]`, `dilations` (`WindowGeometry`); `bias` int
/// 0/1 (0: ONNX's `B` is optional); `x_scale` float; `x_zero_point` int (0); `w_scale` floats
/// (one, or one per output channel); `w_zero_point` ints (`[]`: 0; one, or one per output
/// channel); `y_scale` float (nonzero); `y_zero_point` int (0, inside the output range);
/// `signed` int 0/1 (0: uint8 output codes `0…255`; 1: int8 `−128…127`).
///
/// Inference only: its kernel's backward returns nil and adds nothing (`InferenceOnlyKernel`).
public struct QuantizedConvolution2DOperator: Operator {
    public static let typeName = "QLinearConv"
    public static let attributeDeclarations = [
        AttributeDeclaration("input_channels", .int),
        AttributeDeclaration("output_channels", .int),
        AttributeDeclaration("groups", .int, default: .int(1)),
        AttributeDeclaration("bias", .int, default: .int(0)),
        AttributeDeclaration("x_scale", .float),
        AttributeDeclaration("x_zero_point", .int, default: .int(0)),
        AttributeDeclaration("w_scale", .floats),
        AttributeDeclaration("w_zero_point", .ints, default: .ints([])),
        AttributeDeclaration("y_scale", .float),
        AttributeDeclaration("y_zero_point", .int, default: .int(0)),
        AttributeDeclaration("signed", .int, default: .int(0)),
    ] + WindowGeometry.declarations(dilations: true)

    var convolution: IntegerConvolution
    var requantization: Requantization
    public var hasBias: Bool

    public init(inputChannels: Int, outputChannels: Int, window: WindowGeometry, groups: Int = 1, hasBias: Bool = false,
                inputScale: Float, inputZeroPoint: Int = 0, weightScales: [Float], weightZeroPoints: [Int] = [],
                outputScale: Float, outputZeroPoint: Int = 0, isSigned: Bool = false) {
        convolution = IntegerConvolution(inputChannels: inputChannels, outputChannels: outputChannels, groups: groups,
                                         window: window, inputZeroPoint: inputZeroPoint, weightZeroPoints: weightZeroPoints)
        requantization = Requantization(inputScale: inputScale, weightScales: weightScales, outputScale: outputScale,
                                        outputZeroPoint: outputZeroPoint, isSigned: isSigned)
        self.hasBias = hasBias
    }

    public init(attributes: Attributes) throws(OperatorError) {
        convolution = IntegerConvolution(
            inputChannels: try attributes.int("input_channels"), outputChannels: try attributes.int("output_channels"),
            groups: try attributes.int("groups"), window: try WindowGeometry(attributes: attributes, dilations: true),
            inputZeroPoint: try attributes.int("x_zero_point"), weightZeroPoints: try attributes.ints("w_zero_point"))
        try convolution.validate()
        hasBias = try attributes.bool("bias")
        requantization = Requantization(inputScale: try attributes.float("x_scale"), weightScales: try attributes.floats("w_scale"),
                                        outputScale: try attributes.float("y_scale"),
                                        outputZeroPoint: try attributes.int("y_zero_point"), isSigned: try attributes.bool("signed"))
        try requantization.validate(channels: convolution.outputChannels, names: ("x_scale", "w_scale", "y_scale", "y_zero_point"))
    }

    public var attributes: Attributes {
        var result = convolution.window.attributes(dilations: true)
        result["input_channels"] = .int(convolution.inputChannels)
        result["output_channels"] = .int(convolution.outputChannels)
        result["groups"] = .int(convolution.groups)
        result["bias"] = .int(hasBias ? 1 : 0)
        result["x_scale"] = .float(requantization.inputScale)
        result["x_zero_point"] = .int(convolution.inputZeroPoint)
        result["w_scale"] = .floats(requantization.weightScales)
        result["w_zero_point"] = .ints(convolution.weightZeroPoints)
        result["y_scale"] = .float(requantization.outputScale)
        result["y_zero_point"] = .int(requantization.outputZeroPoint)
        result["signed"] = .int(requantization.isSigned ? 1 : 0)
        return result
    }

    public var weights: [WeightDeclaration] {
        [WeightDeclaration(name: "weight", shape: convolution.weightShape, role: .other)]
            + (hasBias ? [WeightDeclaration(name: "bias", shape: [convolution.outputChannels], role: .bias)] : [])
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        [try convolution.outputShape(inputShapes[0])]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let outputs = outputShapes[0].reduce(1, *)
        let perOutput = convolution.inputChannels / convolution.groups * convolution.window.kernel[0] * convolution.window.kernel[1]
        return OperationCount(multiplyAccumulates: outputs * perOutput, multiplies: outputs,
                              additions: outputs * (hasBias ? 2 : 1), comparisons: 2 * outputs)
    }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        QuantizedConvolution2DKernel(name: name, convolution: convolution, requantization: requantization,
                                     weight: weights[0], bias: hasBias ? weights[1] : nil)
    }
}

/// Runs `QLinearConv`: int32 sums, requantized per output channel.
final class QuantizedConvolution2DKernel: InferenceOnlyKernel {
    let name: String
    let convolution: IntegerConvolution
    let requantization: Requantization
    let weight: Parameter
    let bias: Parameter?

    init(name: String, convolution: IntegerConvolution, requantization: Requantization, weight: Parameter, bias: Parameter?) {
        self.name = name
        self.convolution = convolution
        self.requantization = requantization
        self.weight = weight
        self.bias = bias
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let (sums, shape) = convolution.accumulators(input: inputs[0], weight: weight.value, bias: bias?.value)
        let channels = shape[1], plane = shape[2] * shape[3]
        let multipliers = (0..<channels).map(requantization.multiplier)
        let scalars = sums.indices.map { index in
            requantization.apply(sums[index], multiplier: multipliers[(index / plane) % channels])
        }
        return [Tensor(shape: shape, scalars: scalars)]
    }
}
