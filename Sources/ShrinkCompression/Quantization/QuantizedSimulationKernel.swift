import ShrinkNN
import ShrinkTensor

/// Simulates an integer node in floating point: fake-quantizes the node's first input, then runs
/// the wrapped Linear/Conv2D kernel, whose weights already hold their de-quantized values. With int8
/// weights and u8 inputs the outputs equal an integer kernel's (int32 accumulation, float bias),
/// up to float rounding of the accumulation.
///
/// Backward uses the straight-through estimator: the input gradient passes where the input's
/// rounded code was inside the integer range and is zero where it was clamped.
public final class QuantizedSimulationKernel: OperatorKernel {
    /// How the input is quantized.
    public enum InputQuantization: Equatable, Sendable {
        /// Not at all (weight-only quantization).
        case none
        /// Per batch, from the batch's min/max, with this scheme (int8 dynamic: u8 asymmetric).
        case dynamic(QuantizationScheme)
        /// With fixed calibrated parameters (int8 static).
        case fixed(QuantizationParameters)
    }

    public let wrapped: any OperatorKernel
    public let input: InputQuantization
    /// 1 where the last training forward's input was inside the range, else 0.
    private var insideRange: [Float]?

    public init(wrapping kernel: any OperatorKernel, input: InputQuantization) {
        wrapped = kernel
        self.input = input
    }

    /// The parameters used for `input`: fixed ones, or those of this batch's range (dynamic).
    public func inputParameters(for input: Tensor) -> QuantizationParameters? {
        switch self.input {
        case .none:
            return nil
        case .fixed(let parameters):
            return parameters
        case .dynamic(let scheme):
            let range = input.withUnsafeBufferPointer { QuantizationRange.finiteExtremes(of: $0) }
                ?? QuantizationRange(minimum: 0, maximum: 0)
            var perTensor = scheme
            perTensor.isPerChannel = false
            // A finite range with a valid scheme cannot fail.
            return try! AffineQuantization.parameters(for: range, scheme: perTensor)
        }
    }

    public func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        guard let parameters = inputParameters(for: input) else {
            insideRange = nil
            return wrapped.forward(inputs, mode: mode)
        }
        var quantized = input
        if mode == .training {
            var mask = [Float](repeating: 0, count: input.count)
            mask.withUnsafeMutableBufferPointer { AffineQuantization.fakeQuantize(&quantized, with: parameters, insideRange: $0.baseAddress) }
            insideRange = mask
        } else {
            AffineQuantization.fakeQuantize(&quantized, with: parameters, insideRange: nil)
            insideRange = nil
        }
        return wrapped.forward([quantized] + inputs.dropFirst(), mode: mode)
    }

    public func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        var gradients = wrapped.backward(outputGradients, needsInputGradients: needsInputGradients)
        if let insideRange, gradients[0] != nil { StraightThroughEstimator.mask(&gradients[0]!, with: insideRange) }
        return gradients
    }
}

/// The straight-through estimator of fake quantization, PyTorch's variant: the gradient of
/// `fakeQuantize(x)` with respect to `x` is 1 where `roundHalfEven(x / scale) + zeroPoint` lies
/// within `[qmin, qmax]` and 0 where it was clamped. Scales and zero points get no gradient
/// (ranges come from observers, not learned).
public enum StraightThroughEstimator {
    /// Multiplies `gradient` elementwise by a 0/1 `mask` of the same count.
    public static func mask(_ gradient: inout Tensor, with mask: [Float]) {
        precondition(mask.count == gradient.count, "mask of \(mask.count) for a gradient of \(gradient.count)")
        gradient.withUnsafeMutableBufferPointer { values in
            mask.withUnsafeBufferPointer { keep in
                for index in 0..<values.count where keep[index] == 0 { values[index] = 0 }
            }
        }
    }
}
