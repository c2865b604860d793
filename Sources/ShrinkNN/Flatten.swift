import ShrinkTensor

/// Flattens every sample: `[batch, d1, d2, …]` → `[batch, d1·d2·…]` (row-major, so NCHW
/// flattens channel-major like PyTorch's and Caffe's).
public final class Flatten: Layer {
    public let name: String
    private var cachedInputShape: [Int]?

    public init(name: String) {
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        precondition(input.rank >= 1, "Flatten '\(name)' needs a batch dimension")
        cachedInputShape = mode == .training ? input.shape : nil
        let batch = input.shape[0]
        return input.reshaped([batch, batch == 0 ? 0 : input.count / batch])
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let inputShape = cachedInputShape else {
            preconditionFailure("Flatten '\(name)': backward without a training forward pass")
        }
        return outputGradient.reshaped(inputShape)
    }
}
