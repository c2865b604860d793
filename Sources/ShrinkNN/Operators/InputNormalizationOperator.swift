import ShrinkTensor

/// The preprocessing a model expects of its input, as its first node:
/// `y = (x · scale − mean[c]) / standard_deviation[c]` along the channel axis 1 of an input of
/// rank ≥ 2 (`[batch, C, H, W]` images scaled from 0…255 by `scale = 1/255`, then normalized
/// with ImageNet's mean and standard deviation). Attributes: `scale` float (1), `mean` floats
/// (`[]`: 0) and `standard_deviation` floats (`[]`: 1), each list empty, one value for every
/// channel, or one value per channel; standard deviations are nonzero. A file thus carries the
/// preprocessing with the model.
public struct InputNormalizationOperator: Operator {
    public static let typeName = "InputNormalization"
    public static let attributeDeclarations = [
        AttributeDeclaration("scale", .float, default: .float(1)),
        AttributeDeclaration("mean", .floats, default: .floats([])),
        AttributeDeclaration("standard_deviation", .floats, default: .floats([])),
    ]

    public var scale: Float
    public var mean: [Float]
    public var standardDeviation: [Float]

    public init(scale: Float = 1, mean: [Float] = [], standardDeviation: [Float] = []) {
        self.scale = scale
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    public init(attributes: Attributes) throws(OperatorError) {
        scale = try attributes.float("scale")
        mean = try attributes.floats("mean")
        standardDeviation = try attributes.floats("standard_deviation")
        guard scale.isFinite else { throw OperatorError("scale must be finite, got \(scale)") }
        guard mean.allSatisfy(\.isFinite) else { throw OperatorError("mean values must be finite, got \(mean)") }
        guard standardDeviation.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw OperatorError("standard_deviation values must be finite and nonzero, got \(standardDeviation)")
        }
        if mean.count > 1, standardDeviation.count > 1, mean.count != standardDeviation.count {
            throw OperatorError("\(mean.count) mean values but \(standardDeviation.count) standard deviations")
        }
    }

    public var attributes: Attributes {
        ["scale": .float(scale), "mean": .floats(mean), "standard_deviation": .floats(standardDeviation)]
    }

    /// The number of channels the lists give values for, when one of them has one per channel.
    var listedChannels: Int? {
        let counts = [mean.count, standardDeviation.count].filter { $0 > 1 }
        return counts.first
    }

    public func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        let input = inputShapes[0]
        guard input.rank >= 2 else { throw OperatorError("expects [batch, channels, …] (rank at least 2), got \(input)") }
        if let listed = listedChannels, input[1] != .fixed(listed) {
            throw OperatorError("\(listed) per-channel values for \(input[1]) channels on axis 1")
        }
        return [input]
    }

    public func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        let count = outputShapes[0].reduce(1, *)
        return OperationCount(multiplies: count, additions: count, transcendentals: count)
    }

    /// Channels are tied unless the lists hold per-channel values, which pruning cannot slice
    /// (they are attributes, not weights).
    public var channelCoupling: ChannelCoupling { listedChannels == nil ? .elementwise(perChannel: []) : .opaque }

    public func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        InputNormalizationKernel(name: name, normalization: self)
    }
}

/// Runs `InputNormalization`: `y = (x · scale − mean[c]) / σ[c]`, `∂x = ∂y · scale / σ[c]`.
final class InputNormalizationKernel: OperatorKernel {
    let name: String
    let normalization: InputNormalizationOperator
    /// The input shape of the last training forward pass.
    private var cachedShape: [Int]?

    init(name: String, normalization: InputNormalizationOperator) {
        self.name = name
        self.normalization = normalization
    }

    /// Each channel's mean and standard deviation for `channels` channels.
    private func perChannel(_ channels: Int) -> (mean: [Float], deviation: [Float]) {
        func expand(_ values: [Float], default value: Float) -> [Float] {
            switch values.count {
            case 0: return [Float](repeating: value, count: channels)
            case 1: return [Float](repeating: values[0], count: channels)
            default:
                precondition(values.count == channels, "InputNormalization '\(name)': \(values.count) values for \(channels) channels")
                return values
            }
        }
        return (expand(normalization.mean, default: 0), expand(normalization.standardDeviation, default: 1))
    }

    /// Calls `body(channel, range)` for each run of elements of one channel of a tensor of `shape`.
    private func forEachChannelRun(_ shape: [Int], _ body: (Int, Range<Int>) -> Void) {
        let channels = shape[1], plane = shape.dropFirst(2).reduce(1, *)
        for sample in 0..<shape[0] {
            for channel in 0..<channels {
                let start = (sample * channels + channel) * plane
                body(channel, start..<(start + plane))
            }
        }
    }

    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        let input = inputs[0]
        precondition(input.rank >= 2, "InputNormalization '\(name)': input \(input.shape) has no channel axis")
        cachedShape = mode == .training ? input.shape : nil
        let (mean, deviation) = perChannel(input.shape[1])
        let scale = normalization.scale
        let scalars = [Float].uninitialized(count: input.count) { output in
            input.withUnsafeBufferPointer { x in
                forEachChannelRun(input.shape) { channel, run in
                    let shift = mean[channel], divisor = deviation[channel]
                    for index in run { output[index] = (x[index] * scale - shift) / divisor }
                }
            }
        }
        return [Tensor(shape: input.shape, scalars: scalars)]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        guard let shape = cachedShape else {
            preconditionFailure("InputNormalization '\(name)': backward without a training forward pass")
        }
        guard needsInputGradients[0] else { return [nil] }
        let gradient = outputGradients[0]
        let deviation = perChannel(shape[1]).deviation, scale = normalization.scale
        let scalars = [Float].uninitialized(count: gradient.count) { output in
            gradient.withUnsafeBufferPointer { dy in
                forEachChannelRun(shape) { channel, run in
                    let factor = scale / deviation[channel]
                    for index in run { output[index] = dy[index] * factor }
                }
            }
        }
        return [Tensor(shape: shape, scalars: scalars)]
    }
}
