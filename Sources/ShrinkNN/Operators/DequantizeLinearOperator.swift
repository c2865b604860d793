import ShrinkTensor

/// ONNX `DequantizeLinear` of integer codes carried as Float: `y = (x − zero_point) · scale`
/// in float32. Attributes: `scale`, `zero_point`, `axis` (`LinearQuantization`; per-tensor or
/// per-axis; zero points any 32-bit integer, so int32 codes such as a bias dequantize too).
/// Backward: `∂x = ∂y · scale`.
public struct DequantizeLinearOperator: Operator {
    public static let typeName = "DequantizeLinear"
    public static let attributeDeclarations = LinearQuantization.declarations

    var quantization: LinearQuantization

    /// Per-tensor (one scale) or per-axis dequantization.
    public init(scales: [Float], zeroPoints: [Int] = [], axis: Int = 1) {
        quantization = LinearQuantization(scales: scales, zeroPoints: zeroPoints, axis: axis)
    }

    public init(attributes: Attributes) throws(OperatorError) {
        quantization = try LinearQuantization(attributes: attributes, nonzeroScales: false,
                                              zeroPointRange: Int(Int32.min)...Int(Int32.max))
    }

    public var attributes: Attributes { quantization.attributes }

    public var scales: [Float] { quantization.scales }
    public var zeroPoints: [Int] { quantization.zeroPoints }
    public var axis: Int { quantization.axis }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try quantization.check(inputShapes[0])
        return inputShapes
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let count = outputShapes[0].reduce(1, *)
        return OperationCount(multiplies: count, additions: count)
    }

    /// Per-tensor dequantization treats every channel alike; per-axis scales are attributes
    /// pruning cannot slice.
    public var channelCoupling: ChannelCoupling { quantization.isPerAxis ? .opaque : .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        DequantizeLinearKernel(name: name, quantization: quantization)
    }
}

/// Runs `DequantizeLinear`.
final class DequantizeLinearKernel: OperatorKernel {
    let name: String
    let quantization: LinearQuantization
    /// The input shape of the last training forward pass.
    private var cachedShape: [Int]?

    init(name: String, quantization: LinearQuantization) {
        self.name = name
        self.quantization = quantization
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        cachedShape = mode == .training ? input.shape : nil
        let scalars = [Float].uninitialized(count: input.count) { output in
            input.withUnsafeBufferPointer { x in
                quantization.forEachRun(input.shape) { slice, run in
                    let scale = quantization.scales[slice], zeroPoint = quantization.zeroPoint(slice)
                    for index in run { output[index] = (x[index] - zeroPoint) * scale }
                }
            }
        }
        return [Tensor(shape: input.shape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shape = cachedShape else { preconditionFailure("DequantizeLinear '\(name)': backward without a training forward pass") }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0]
        let scalars = [Float].uninitialized(count: gradient.count) { output in
            gradient.withUnsafeBufferPointer { dy in
                quantization.forEachRun(shape) { slice, run in
                    let scale = quantization.scales[slice]
                    for index in run { output[index] = dy[index] * scale }
                }
            }
        }
        return [Tensor(shape: shape, scalars: scalars)]
    }
}
