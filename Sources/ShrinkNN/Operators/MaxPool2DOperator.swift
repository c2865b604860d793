import ShrinkTensor

/// Max pooling over windows of `[batch, channels, height, width]` (PyTorch's `MaxPool2d`, ONNX
/// `MaxPool`): rectangular windows, a stride per axis, asymmetric pads `[top, left, bottom,
/// right]` (padding never wins) and `ceil_mode` (int 0/1: round the output size up).
public struct MaxPool2DOperator: Operator {
    public static let typeName = "MaxPool2D"
    public static let attributeDeclarations = PoolingShapes.declarations
    public var window: WindowGeometry
    public var ceilMode: Bool

    public init(window: WindowGeometry, ceilMode: Bool = false) {
        self.window = window
        self.ceilMode = ceilMode
    }

    public init(attributes: Attributes) throws(OperatorError) {
        window = try PoolingShapes.window(attributes: attributes)
        ceilMode = try attributes.bool("ceil_mode")
    }

    public var attributes: Attributes {
        var result = window.attributes(dilations: false)
        result["ceil_mode"] = .int(ceilMode ? 1 : 0)
        return result
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try PoolingShapes.outputShapes(window: window, ceilMode: ceilMode, input: inputShapes[0])
    }

    /// One comparison per window element after the first (padding counted, dense-equivalent).
    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(comparisons: outputShapes[0].reduce(1, *) * (window.kernel[0] * window.kernel[1] - 1))
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(MaxPool2D(name: name, window: window, ceilMode: ceilMode))
    }
}
