import ShrinkTensor

/// ONNX `QuantizeLinear` to 8-bit codes carried as Float: `y = saturate(round(x / scale) +
/// zero_point)`, with `x / scale` in float32, rounding half to even (2.5 → 2, 3.5 → 4) and
/// saturation to `0…255` (`signed` = 0, uint8) or `−128…127` (`signed` = 1, int8); ±inf
/// saturate, nan gives the lowest code. Attributes: `scale`, `zero_point`, `axis`
/// (`LinearQuantization`; per-tensor or per-axis) and `signed` int 0/1 (0). Blocked
/// quantization (opset 21's `block_size`) is not supported.
///
/// Backward is straight-through, for quantization-aware training: where `round(x / scale) +
/// zero_point` lies inside the code range (bounds included), `∂x = ∂y / scale` (the derivative
/// of `x / scale + zero_point`, so `DequantizeLinear ∘ QuantizeLinear` passes gradients
/// unchanged); elsewhere (saturated) 0.
public struct QuantizeLinearOperator: Operator {
    public static let typeName = "QuantizeLinear"
    public static let attributeDeclarations = LinearQuantization.declarations + [
        AttributeDeclaration("signed", .int, default: .int(0)),
    ]

    var quantization: LinearQuantization
    /// Whether codes are int8 (`−128…127`) rather than uint8 (`0…255`).
    public var isSigned: Bool

    /// Per-tensor (one scale) or per-axis quantization to uint8 or int8 codes.
    public init(scales: [Float], zeroPoints: [Int] = [], axis: Int = 1, isSigned: Bool = false) {
        quantization = LinearQuantization(scales: scales, zeroPoints: zeroPoints, axis: axis)
        self.isSigned = isSigned
    }

    public init(attributes: Attributes) throws(OperatorError) {
        isSigned = try attributes.bool("signed")
        quantization = try LinearQuantization(attributes: attributes, nonzeroScales: true,
                                              zeroPointRange: LinearQuantization.range(signed: isSigned))
    }

    public var attributes: Attributes {
        var result = quantization.attributes
        result["signed"] = .int(isSigned ? 1 : 0)
        return result
    }

    public var scales: [Float] { quantization.scales }
    public var zeroPoints: [Int] { quantization.zeroPoints }
    public var axis: Int { quantization.axis }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try quantization.check(inputShapes[0])
        return inputShapes
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let count = outputShapes[0].reduce(1, *)
        return OperationCount(additions: count, comparisons: 2 * count, transcendentals: count)
    }

    /// Per-tensor quantization treats every channel alike; per-axis scales are attributes
    /// pruning cannot slice.
    public var channelCoupling: ChannelCoupling { quantization.isPerAxis ? .opaque : .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        QuantizeLinearKernel(name: name, quantization: quantization, range: LinearQuantization.range(signed: isSigned))
    }
}

/// Runs `QuantizeLinear` with its straight-through backward.
final class QuantizeLinearKernel: OperatorKernel {
    let name: String
    let quantization: LinearQuantization
    let range: ClosedRange<Int>
    /// The input of the last training forward pass.
    private var cachedInput: Tensor?

    init(name: String, quantization: LinearQuantization, range: ClosedRange<Int>) {
        self.name = name
        self.quantization = quantization
        self.range = range
    }

    /// `round(x / scale) + zero_point` before saturation.
    @inline(__always)
    private static func code(_ x: Float, scale: Float, zeroPoint: Float) -> Float {
        (x / scale).rounded(.toNearestOrEven) + zeroPoint
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        cachedInput = mode == .training ? input : nil
        let range = self.range
        let scalars = [Float].uninitialized(count: input.count) { output in
            input.withUnsafeBufferPointer { x in
                quantization.forEachRun(input.shape) { slice, run in
                    let scale = quantization.scales[slice], zeroPoint = quantization.zeroPoint(slice)
                    for index in run {
                        output[index] = IntegerCodes.saturate(Double(Self.code(x[index], scale: scale, zeroPoint: zeroPoint)), to: range)
                    }
                }
            }
        }
        return [Tensor(shape: input.shape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let input = cachedInput else { preconditionFailure("QuantizeLinear '\(name)': backward without a training forward pass") }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0]
        let low = Float(range.lowerBound), high = Float(range.upperBound)
        let scalars = [Float].uninitialized(count: input.count) { output in
            input.withUnsafeBufferPointer { x in
                gradient.withUnsafeBufferPointer { dy in
                    quantization.forEachRun(input.shape) { slice, run in
                        let scale = quantization.scales[slice], zeroPoint = quantization.zeroPoint(slice)
                        for index in run {
                            let code = Self.code(x[index], scale: scale, zeroPoint: zeroPoint)
                            output[index] = code >= low && code <= high ? dy[index] / scale : 0
                        }
                    }
                }
            }
        }
        return [Tensor(shape: input.shape, scalars: scalars)]
    }
}
