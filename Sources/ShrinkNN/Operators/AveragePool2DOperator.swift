import ShrinkTensor

/// Average pooling over windows of `[batch, channels, height, width]` (PyTorch's `AvgPool2d`,
/// ONNX `AveragePool`): rectangular windows, a stride per axis, asymmetric pads `[top, left,
/// bottom, right]`, `ceil_mode` (int 0/1) and `count_include_pad` (int 0/1, default 0 as ONNX:
/// divide by the window's image elements only; 1: by its extent in the padded input).
public struct AveragePool2DOperator: Operator {
    public static let typeName = "AveragePool2D"
    public static let attributeDeclarations = PoolingShapes.declarations
        + [AttributeDeclaration("count_include_pad", .int, default: .int(0))]
    public var window: WindowGeometry
    public var ceilMode: Bool
    public var countIncludePad: Bool

    public init(window: WindowGeometry, ceilMode: Bool = false, countIncludePad: Bool = false) {
        self.window = window
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public init(attributes: Attributes) throws(OperatorError) {
        window = try PoolingShapes.window(attributes: attributes)
        ceilMode = try attributes.bool("ceil_mode")
        countIncludePad = try attributes.bool("count_include_pad")
    }

    public var attributes: Attributes {
        var result = window.attributes(dilations: false)
        result["ceil_mode"] = .int(ceilMode ? 1 : 0)
        result["count_include_pad"] = .int(countIncludePad ? 1 : 0)
        return result
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try PoolingShapes.outputShapes(window: window, ceilMode: ceilMode, input: inputShapes[0])
    }

    /// A window's additions (padding counted, dense-equivalent) and one scaling per output.
    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let outputs = outputShapes[0].reduce(1, *)
        return OperationCount(multiplies: outputs, additions: outputs * window.kernel[0] * window.kernel[1])
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(AveragePool2D(name: name, window: window, ceilMode: ceilMode, countIncludePad: countIncludePad))
    }
}
