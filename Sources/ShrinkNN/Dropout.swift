import ShrinkTensor

/// Inverted dropout: in training, zeroes each activation with probability `rate` and scales the
/// survivors by `1 / (1 − rate)`; in inference, the identity.
///
/// The layer owns its random generator, seeded at construction, so a run is reproducible.
public final class Dropout: Layer {
    public let name: String
    public let rate: Float
    /// Draws the masks. Internal so tests can replay a mask.
    var generator: SeededRandomNumberGenerator
    /// The mask of the last training forward: `0` or `1 / (1 − rate)` per element.
    private var cachedMask: Tensor?

    /// - Parameter seed: seeds the layer's own generator.
    public init(name: String, rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "Dropout '\(name)' needs a rate in [0, 1), got \(rate)")
        self.name = name
        self.rate = rate
        generator = SeededRandomNumberGenerator(seed: seed)
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        guard mode == .training else {
            cachedMask = nil
            return input
        }
        let count = input.count
        let keep = 1 - rate
        let scale = 1 / keep
        let maskScalars = [Float].uninitialized(count: count) { mask in
            for index in 0..<count { mask[index] = generator.nextUniform() < keep ? scale : 0 }
        }
        let mask = Tensor(shape: input.shape, scalars: maskScalars)
        cachedMask = mask
        return multiply(input, mask)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let mask = cachedMask else {
            preconditionFailure("Dropout '\(name)': backward without a training forward pass")
        }
        precondition(outputGradient.shape == mask.shape,
                     "Dropout '\(name)': output gradient shape \(outputGradient.shape) does not match \(mask.shape)")
        return multiply(outputGradient, mask)
    }

    /// The element-wise product of two tensors of equal shape.
    private func multiply(_ left: Tensor, _ right: Tensor) -> Tensor {
        let count = left.count
        let scalars = [Float].uninitialized(count: count) { output in
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    for index in 0..<count { output[index] = l[index] * r[index] }
                }
            }
        }
        return Tensor(shape: left.shape, scalars: scalars)
    }
}
