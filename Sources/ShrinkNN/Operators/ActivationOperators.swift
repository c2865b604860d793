import Foundation

/// `x` for `x > 0`, else `alpha · x` (ONNX `LeakyRelu`, PyTorch's `LeakyReLU`); `alpha`
/// defaults to 0.01. The gradient at 0 is `alpha`.
public struct LeakyReLUOperator: ElementwiseActivation {
    public static let typeName = "LeakyReLU"
    public static let attributeDeclarations = [AttributeDeclaration("alpha", .float, default: .float(0.01))]
    public var alpha: Float

    public init(alpha: Float = 0.01) {
        self.alpha = alpha
    }

    public init(attributes: Attributes) throws(OperatorError) {
        alpha = try attributes.float("alpha")
        guard alpha.isFinite else { throw OperatorError("alpha must be finite, got \(alpha)") }
    }

    public var attributes: Attributes { ["alpha": .float(alpha)] }

    public func value(_ input: Float) -> Float { input > 0 ? input : alpha * input }

    public func derivative(input: Float, output: Float) -> Float { input > 0 ? 1 : alpha }

    public var operationsPerElement: OperationCount { OperationCount(multiplies: 1, comparisons: 1) }
}

/// The logistic function `1 / (1 + e^−x)`, computed without overflow for large `|x|`.
public struct SigmoidOperator: ElementwiseActivation {
    public static let typeName = "Sigmoid"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func value(_ input: Float) -> Float {
        if input >= 0 { return 1 / (1 + exp(-input)) }
        let exponential = exp(input)
        return exponential / (1 + exponential)
    }

    public func derivative(input: Float, output: Float) -> Float { output * (1 - output) }

    /// An exponential and a division (transcendentals) and an addition.
    public var operationsPerElement: OperationCount { OperationCount(additions: 1, transcendentals: 2) }
}

/// The hyperbolic tangent.
public struct TanhOperator: ElementwiseActivation {
    public static let typeName = "Tanh"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func value(_ input: Float) -> Float { tanh(input) }

    public func derivative(input: Float, output: Float) -> Float { 1 - output * output }

    public var operationsPerElement: OperationCount { OperationCount(transcendentals: 1) }
}

/// `x · relu6(x + 3) / 6` (PyTorch's `Hardswish`, ONNX `HardSwish`). The derivative is 0 for
/// `x < −3`, `x / 3 + 1/2` for `−3 ≤ x ≤ 3` and 1 above, as PyTorch's backward.
public struct HardSwishOperator: ElementwiseActivation {
    public static let typeName = "HardSwish"
    public static let attributeDeclarations: [AttributeDeclaration] = []

    public init() {}
    public init(attributes: Attributes) throws(OperatorError) {}
    public var attributes: Attributes { [:] }

    public func value(_ input: Float) -> Float { input * min(max(input + 3, 0), 6) / 6 }

    public func derivative(input: Float, output: Float) -> Float {
        input < -3 ? 0 : input <= 3 ? input / 3 + 0.5 : 1
    }

    public var operationsPerElement: OperationCount { OperationCount(multiplies: 2, additions: 1, comparisons: 2) }
}

/// `max(0, min(1, alpha · x + beta))` (ONNX `HardSigmoid`: `alpha` 0.2 and `beta` 0.5 by
/// default; PyTorch's `Hardsigmoid` is `alpha = 1/6`). The gradient is `alpha` where
/// `0 < alpha · x + beta < 1`, else 0.
public struct HardSigmoidOperator: ElementwiseActivation {
    public static let typeName = "HardSigmoid"
    public static let attributeDeclarations = [
        AttributeDeclaration("alpha", .float, default: .float(0.2)),
        AttributeDeclaration("beta", .float, default: .float(0.5)),
    ]
    public var alpha: Float
    public var beta: Float

    public init(alpha: Float = 0.2, beta: Float = 0.5) {
        self.alpha = alpha
        self.beta = beta
    }

    public init(attributes: Attributes) throws(OperatorError) {
        alpha = try attributes.float("alpha")
        beta = try attributes.float("beta")
        guard alpha.isFinite, beta.isFinite else { throw OperatorError("alpha \(alpha) and beta \(beta) must be finite") }
    }

    public var attributes: Attributes { ["alpha": .float(alpha), "beta": .float(beta)] }

    public func value(_ input: Float) -> Float { max(0, min(1, alpha * input + beta)) }

    public func derivative(input: Float, output: Float) -> Float {
        let linear = alpha * input + beta
        return linear > 0 && linear < 1 ? alpha : 0
    }

    public var operationsPerElement: OperationCount { OperationCount(multiplies: 1, additions: 1, comparisons: 2) }
}
