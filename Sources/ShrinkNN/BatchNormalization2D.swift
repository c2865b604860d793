import CShrinkKernels
import ShrinkKernels
import ShrinkTensor

/// Per-channel batch normalization of `[batch, channels, height, width]` inputs
/// (`BatchNorm2d`), and of `[batch, channels]` and `[batch, channels, length]` inputs
/// (`BatchNorm1d`): the channel axis is 1 and every axis after it is reduced like the plane.
///
/// Training normalizes with the batch's mean and biased variance over `(batch, height, width)`
/// and updates the running statistics, `running = (1 − momentum) · running + momentum · batch`
/// (unbiased variance), as PyTorch does. Inference normalizes with the running statistics.
/// Parameters: `<name>.weight` (scale γ, ones) and `<name>.bias` (shift β, zeros), both
/// `[channels]`; buffers `<name>.running_mean` (zeros) and `<name>.running_var` (ones).
public final class BatchNormalization2D: Layer {
    public let name: String
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    /// `<name>.weight`, the scale γ, `[channels]`.
    public let weight: Parameter
    /// `<name>.bias`, the shift β, `[channels]`.
    public let bias: Parameter
    /// `<name>.running_mean`, a buffer, `[channels]`.
    public let runningMean: Parameter
    /// `<name>.running_var`, a buffer, `[channels]`.
    public let runningVariance: Parameter

    /// Whether the output is rectified, `max(0, γ x̂ + β)`: a graph network sets it when the
    /// normalization's only reader is a ReLU, which it then skips (one pass over memory instead of
    /// two); backward then passes the gradient only where the output is positive.
    public internal(set) var rectifiesOutput = false
    /// The (rectified) output of the last training forward, kept when `rectifiesOutput` is set.
    private var cachedOutput: Tensor?
    /// The normalized input x̂ of the last training forward, the input's shape.
    private var cachedNormalized: Tensor?
    /// `1 / √(batch variance + ε)` per channel of the last training forward.
    private var cachedInverseDeviation: [Float] = []

    public init(name: String, channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        precondition(channels > 0 && epsilon > 0 && momentum >= 0 && momentum <= 1,
                     "BatchNormalization2D '\(name)' has invalid hyper-parameters")
        self.name = name
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter(name: "\(name).weight", value: Tensor(repeating: 1, shape: [channels]))
        bias = Parameter(name: "\(name).bias", value: Tensor(zeros: [channels]))
        runningMean = Parameter(name: "\(name).running_mean", value: Tensor(zeros: [channels]), kind: .buffer)
        runningVariance = Parameter(name: "\(name).running_var", value: Tensor(repeating: 1, shape: [channels]), kind: .buffer)
    }

    /// Creates the layer around existing parameters (a graph network's weights), each `[channels]`.
    public init(name: String, weight: Parameter, bias: Parameter, runningMean: Parameter, runningVariance: Parameter,
                epsilon: Float, momentum: Float) {
        self.name = name
        self.channels = weight.value.count
        self.epsilon = epsilon
        self.momentum = momentum
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVariance = runningVariance
    }


    public var parameters: [Parameter] { [weight, bias, runningMean, runningVariance] }

    public func forward(_ input: Tensor, mode: ForwardMode) -> Tensor {
        precondition((2...4).contains(input.rank) && input.shape[1] == channels,
                     "BatchNormalization2D '\(name)' expects [batch, \(channels), height, width] or [batch, \(channels)], got \(input.shape)")
        let batch = input.shape[0], planeSize = Self.planeSize(of: input.shape)
        let channels = channels
        let reduced = batch * planeSize
        precondition(mode == .inference || reduced > 1,
                     "BatchNormalization2D '\(name)' needs more than one value per channel in training")

        // Per channel: the mean and inverse deviation used to normalize.
        var means = [Float](repeating: 0, count: channels)
        var inverseDeviations = [Float](repeating: 0, count: channels)
        let chunk = Self.channelsPerChunk(reduced: reduced)
        if mode == .training {
            var batchMeans = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
            input.withUnsafeBufferPointer { x in
                batchMeans.withUnsafeMutableBufferPointer { meanBuffer in
                    squares.withUnsafeMutableBufferPointer { squareBuffer in
                        let x = x.baseAddress!, mean = meanBuffer.baseAddress!, square = squareBuffer.baseAddress!
                        Parallelism.forEachChunk(count: channels, minimumChunk: chunk) { range in
                            shrink_batch_norm_statistics(batch, channels, planeSize, range.lowerBound, range.upperBound,
                                                         x, mean, square)
                        }
                    }
                }
            }
            for channel in 0..<channels {
                let mean = batchMeans[channel], variance = squares[channel] / Double(reduced)
                means[channel] = Float(mean)
                inverseDeviations[channel] = Float(1 / (variance + Double(epsilon)).squareRoot())
                let unbiased = Float(squares[channel] / Double(reduced - 1))
                runningMean.value.scalars[channel] =
                    (1 - momentum) * runningMean.value.scalars[channel] + momentum * Float(mean)
                runningVariance.value.scalars[channel] =
                    (1 - momentum) * runningVariance.value.scalars[channel] + momentum * unbiased
            }
        } else {
            for channel in 0..<channels {
                means[channel] = runningMean.value.scalars[channel]
                inverseDeviations[channel] = 1 / (runningVariance.value.scalars[channel] + epsilon).squareRoot()
            }
        }

        // x̂ = (x − μ) / σ, y = γ x̂ + β (then max(0, y) when rectifying); x̂ is kept only in training.
        let count = input.count
        let lowerBound: Float = rectifiesOutput ? 0 : -.infinity
        var normalized = mode == .training ? [Float].uninitialized(count: count) { _ in } : []
        let scalars = [Float].uninitialized(count: count) { output in
            input.withUnsafeBufferPointer { x in
                normalized.withUnsafeMutableBufferPointer { normalizedBuffer in
                    weight.value.withUnsafeBufferPointer { scale in
                        bias.value.withUnsafeBufferPointer { shift in
                            // An empty array's buffer still has a base address (the shared empty
                            // storage): only training keeps x̂, so only training may write through it.
                            let kept = mode == .training ? normalizedBuffer.baseAddress : nil
                            let x = x.baseAddress!, scale = scale.baseAddress!, shift = shift.baseAddress!
                            means.withUnsafeBufferPointer { mean in
                                inverseDeviations.withUnsafeBufferPointer { inverse in
                                    let mean = mean.baseAddress!, inverse = inverse.baseAddress!
                                    Parallelism.forEachChunk(count: channels, minimumChunk: chunk) { range in
                                        shrink_batch_norm_forward(
                                            batch, channels, planeSize, range.lowerBound, range.upperBound, x, mean,
                                            inverse, scale, shift, lowerBound, kept, output)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = Tensor(shape: input.shape, scalars: scalars)
        if mode == .training {
            cachedNormalized = Tensor(shape: input.shape, scalars: normalized)
            cachedInverseDeviation = inverseDeviations
            cachedOutput = rectifiesOutput ? output : nil
        } else {
            cachedNormalized = nil
            cachedOutput = nil
        }
        return output
    }

    /// Channels handed to one thread: at least about 64 Ki values.
    private static func channelsPerChunk(reduced: Int) -> Int {
        max(1, (1 << 16) / max(1, reduced))
    }

    /// The number of values per sample and channel: `height · width`, `length`, or 1 for
    /// `[batch, channels]`.
    static func planeSize(of shape: [Int]) -> Int {
        shape.dropFirst(2).reduce(1, *)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let normalized = cachedNormalized else {
            preconditionFailure("BatchNormalization2D '\(name)': backward without a training forward pass")
        }
        precondition(outputGradient.shape == normalized.shape,
                     "BatchNormalization2D '\(name)': output gradient shape \(outputGradient.shape) does not match \(normalized.shape)")
        let shape = normalized.shape
        let batch = shape[0], planeSize = Self.planeSize(of: shape), channels = channels
        let reduced = Float(batch * planeSize)
        let count = normalized.count
        // dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/(σ·M) · (M·dy − dβ − x̂·dγ) per channel.
        var shiftGradients = [Float](repeating: 0, count: channels)
        var scaleGradients = [Float](repeating: 0, count: channels)
        let factors = (0..<channels).map { weight.value.scalars[$0] * cachedInverseDeviation[$0] / reduced }
        let chunk = Self.channelsPerChunk(reduced: batch * planeSize)
        let scalars = [Float].uninitialized(count: count) { dx in
            normalized.withUnsafeBufferPointer { xHat in
                outputGradient.withUnsafeBufferPointer { dy in
                    factors.withUnsafeBufferPointer { factor in
                        shiftGradients.withUnsafeMutableBufferPointer { shift in
                            scaleGradients.withUnsafeMutableBufferPointer { scale in
                                let xHat = xHat.baseAddress!, dy = dy.baseAddress!, factor = factor.baseAddress!
                                let shift = shift.baseAddress!, scale = scale.baseAddress!
                                // With a fused rectifier, its output masks the gradient.
                                withOptionalBuffer(cachedOutput) { mask in
                                    Parallelism.forEachChunk(count: channels, minimumChunk: chunk) { range in
                                        shrink_batch_norm_backward(
                                            batch, channels, planeSize, range.lowerBound, range.upperBound, xHat, dy,
                                            mask, factor, shift, scale, dx)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for channel in 0..<channels {
            weight.gradient.scalars[channel] += scaleGradients[channel]
            bias.gradient.scalars[channel] += shiftGradients[channel]
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
