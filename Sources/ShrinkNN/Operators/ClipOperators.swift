import ShrinkTensor

/// `min(max(x, minimum), maximum)` element-wise (ONNX `Clip` with the bounds as attributes;
/// PyTorch's `hardtanh`/`clamp`). Either bound defaults to the largest finite float (no
/// bound). The gradient passes where `minimum < x < maximum` and is 0 elsewhere, bounds
/// included (as `hardtanh`). ReLU6 is `Clip(0, 6)`, also registered as `ReLU6`.
public struct ClipOperator: ElementwiseActivation {
    public static let typeName = "Clip"
    public static let attributeDeclarations = [
        AttributeDeclaration("minimum", .float, default: .float(-.greatestFiniteMagnitude)),
        AttributeDeclaration("maximum", .float, default: .float(.greatestFiniteMagnitude)),
    ]
    public var minimum: Float
    public var maximum: Float

    public init(minimum: Float = -.greatestFiniteMagnitude, maximum: Float = .greatestFiniteMagnitude) {
        self.minimum = minimum
        self.maximum = maximum
    }

    public init(attributes: Attributes) throws(OperatorError) {
        minimum = try attributes.float("minimum")
        maximum = try attributes.float("maximum")
        guard !minimum.isNaN, !maximum.isNaN, minimum <= maximum else {
            throw OperatorError("minimum \(minimum) must not exceed maximum \(maximum)")
        }
    }

    public var attributes: Attributes { ["minimum": .float(minimum), "maximum": .float(maximum)] }

    public func value(_ input: Float) -> Float { min(max(input, minimum), maximum) }

    public func derivative(input: Float, output: Float) -> Float { input > minimum && input < maximum ? 1 : 0 }

    public var operationsPerElement: OperationCount { OperationCount(comparisons: 2) }

    /// `ClipKernel` (vectorized, threaded); `value` and `derivative` are its reference.
    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        ClipKernel(name: name, minimum: minimum, maximum: maximum)
    }
}

/// `min(max(x, 0), 6)` (PyTorch's `ReLU6`): `Clip` with bounds 0 and 6, without attributes.
/// The gradient is 0 at 0 and 6, like ReLU's at 0.
public struct ReLU6Operator: ElementwiseActivation {
    public static let typeName = "ReLU6"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func value(_ input: Float) -> Float { min(max(input, 0), 6) }

    public func derivative(input: Float, output: Float) -> Float { input > 0 && input < 6 ? 1 : 0 }

    public var operationsPerElement: OperationCount { OperationCount(comparisons: 2) }

    /// `ClipKernel` over [0, 6] (vectorized, threaded); `value` and `derivative` are its reference.
    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        ClipKernel(name: name, minimum: 0, maximum: 6)
    }
}
