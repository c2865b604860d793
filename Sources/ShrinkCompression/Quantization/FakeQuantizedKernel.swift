import ShrinkNN
import ShrinkTensor

/// Quantization-aware training wrapper around the kernel of a Linear or Conv2D node.
///
/// The node's `weight` parameter keeps the float ("shadow") weights the optimizer updates. A
/// forward pass swaps in their fake-quantized values (min-max parameters of the current float
/// weights under `weightScheme`, per channel along axis 0 by default), so forward and backward
/// see quantized weights and the weight gradient is taken at them; `backward` then restores the
/// float weights (before the `Trainer`'s optimizer step) and passes the gradient straight
/// through (`StraightThroughEstimator`). An inference forward restores them immediately.
///
/// With an `activationScheme`, the input is fake-quantized per tensor with the range tracked by
/// a moving-average min-max observer, updated on every training forward pass.
public final class FakeQuantizedKernel: OperatorKernel {
    /// The node's name.
    public let name: String
    /// The node that owns the weight.
    public let node: WeightNode
    public let wrapped: any OperatorKernel
    /// The wrapped node's weight matrix, `<name>.weight`.
    public let weight: Parameter
    public let weightScheme: QuantizationScheme
    public let activationScheme: QuantizationScheme?
    /// The tracked input range.
    public private(set) var activationObserver: MovingAverageMinMaxObserver
    /// The float weights while a training forward's quantized weights are in place.
    private var floatWeights: Tensor?
    private var weightInsideRange: [Float]?
    private var inputInsideRange: [Float]?

    /// - Throws: `QuantizationError` for an invalid scheme.
    public init(
        wrapping kernel: any OperatorKernel, node: WeightNode, weight: Parameter, weightScheme: QuantizationScheme,
        activationScheme: QuantizationScheme?, averagingConstant: Float = 0.01
    ) throws(QuantizationError) {
        try weightScheme.validate()
        try activationScheme?.validate()
        wrapped = kernel
        name = node.name
        self.node = node
        self.weight = weight
        self.weightScheme = weightScheme
        self.activationScheme = activationScheme
        activationObserver = MovingAverageMinMaxObserver(averagingConstant: averagingConstant)
    }

    public func weightParameters() -> QuantizationParameters {
        let float = floatWeights ?? weight.value
        // Min-max ranges of finite weights with a validated scheme cannot fail.
        return try! AffineQuantization.parameters(minMaxOf: float, scheme: weightScheme)
    }

    /// The input quantization of the tracked range, nil without activation quantization or
    /// before any training batch.
    public func activationParameters() -> QuantizationParameters? {
        guard let activationScheme, let range = try? activationObserver.range() else { return nil }
        return try? AffineQuantization.parameters(for: range, scheme: activationScheme)
    }

    /// Puts the float weights back if a training forward left quantized ones in place.
    public func restoreFloatWeights() {
        if let floatWeights { weight.value = floatWeights }
        floatWeights = nil
        weightInsideRange = nil
    }

    public func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        restoreFloatWeights()
        var quantizedInput = input
        inputInsideRange = nil
        if activationScheme != nil {
            if mode == .training { activationObserver.observe(input) }
            if let parameters = activationParameters() {
                if mode == .training {
                    var mask = [Float](repeating: 0, count: input.count)
                    mask.withUnsafeMutableBufferPointer {
                        AffineQuantization.fakeQuantize(&quantizedInput, with: parameters, insideRange: $0.baseAddress)
                    }
                    inputInsideRange = mask
                } else {
                    AffineQuantization.fakeQuantize(&quantizedInput, with: parameters, insideRange: nil)
                }
            }
        }

        let float = weight.value
        let parameters = weightParameters()
        var quantizedWeights = float
        if mode == .training {
            var mask = [Float](repeating: 0, count: float.count)
            mask.withUnsafeMutableBufferPointer {
                AffineQuantization.fakeQuantize(&quantizedWeights, with: parameters, insideRange: $0.baseAddress)
            }
            weightInsideRange = mask.contains(0) ? mask : nil
        } else {
            AffineQuantization.fakeQuantize(&quantizedWeights, with: parameters, insideRange: nil)
        }
        weight.value = quantizedWeights
        let output = wrapped.forward([quantizedInput] + inputs.dropFirst(), mode: mode)
        if mode == .training {
            floatWeights = float
        } else {
            weight.value = float
        }
        return output
    }

    public func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        precondition(floatWeights != nil, "FakeQuantizedKernel '\(name)': backward without a training forward pass")
        // The wrapped layer adds its weight gradient; keep the straight-through mask off whatever
        // was accumulated before.
        let previousGradient = weightInsideRange == nil ? nil : weight.gradient
        var inputGradients = wrapped.backward(outputGradients, needsInputGradients: needsInputGradients)
        if let mask = weightInsideRange, let previousGradient {
            weight.gradient.withUnsafeMutableBufferPointer { gradient in
                previousGradient.withUnsafeBufferPointer { before in
                    for index in 0..<gradient.count where mask[index] == 0 { gradient[index] = before[index] }
                }
            }
        }
        restoreFloatWeights()
        if inputGradients[0] != nil, let mask = inputInsideRange {
            StraightThroughEstimator.mask(&inputGradients[0]!, with: mask)
        }
        return inputGradients
    }
}
