import ShrinkTensor

/// Max pooling over windows of `[batch, channels, height, width]` (PyTorch's `MaxPool2d`, ONNX
/// `MaxPool`; floor division for the output size).
public struct MaxPool2DOperator: Operator {
    public static let typeName = "MaxPool2D"
    public static let attributeDeclarations = WindowGeometry.declarations(dilations: false)
    public var window: WindowGeometry

    public init(window: WindowGeometry) {
        self.window = window
    }

    public init(attributes: Attributes) throws(OperatorError) {
        window = try WindowGeometry(attributes: attributes, dilations: false)
        guard window.isSquareAndSymmetric, window.pads == [0, 0, 0, 0] else {
            throw OperatorError("this build supports square windows and strides without padding")
        }
    }

    public var attributes: Attributes { window.attributes(dilations: false) }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try PoolingShapes.outputShapes(window: window, input: inputShapes[0])
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(comparisons: outputShapes[0].reduce(1, *) * (window.kernel[0] * window.kernel[1] - 1))
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(MaxPool2D(name: name, kernelSize: window.kernel[0], stride: window.strides[0]))
    }
}

/// Average pooling over windows of `[batch, channels, height, width]` (PyTorch's
/// `AvgPool2d`, ONNX `AveragePool`).
public struct AveragePool2DOperator: Operator {
    public static let typeName = "AveragePool2D"
    public static let attributeDeclarations = WindowGeometry.declarations(dilations: false)
    public var window: WindowGeometry

    public init(window: WindowGeometry) {
        self.window = window
    }

    public init(attributes: Attributes) throws(OperatorError) {
        window = try WindowGeometry(attributes: attributes, dilations: false)
        guard window.isSquareAndSymmetric, window.pads == [0, 0, 0, 0] else {
            throw OperatorError("this build supports square windows and strides without padding")
        }
    }

    public var attributes: Attributes { window.attributes(dilations: false) }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        try PoolingShapes.outputShapes(window: window, input: inputShapes[0])
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let outputs = outputShapes[0].reduce(1, *)
        return OperationCount(multiplies: outputs, additions: outputs * window.kernel[0] * window.kernel[1])
    }

    public var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        SingleInputKernel(AveragePool2D(name: name, kernelSize: window.kernel[0], stride: window.strides[0]))
    }
}

enum PoolingShapes {
    static func outputShapes(window: WindowGeometry, input: ValueShape) throws(OperatorError) -> [ValueShape] {
        let sample = try ShapeChecks.sample(input, rank: 3, expected: "[batch, channels, height, width]")
        guard let output = window.outputSize(height: sample[1], width: sample[2]) else {
            throw OperatorError("the \(window.kernel[0])×\(window.kernel[1]) window does not fit the input")
        }
        return [ValueShape([input[0], .fixed(sample[0]), .fixed(output.height), .fixed(output.width)])]
    }
}
