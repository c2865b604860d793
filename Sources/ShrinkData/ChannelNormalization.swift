import ShrinkTensor

/// Per-channel standardization of image inputs `[count, channels, …]`:
/// `(x − mean[c]) / standardDeviation[c]` for every value of channel `c`.
///
/// Measure it on the training set (`measured(on:)`) and apply the same values to every split.
/// A model file carries such preprocessing as its first node, an `InputNormalization` node
/// (`InputNormalizationOperator` in ShrinkNN, with `scale` 1 and these `mean` and
/// `standard_deviation` lists): that node, not this type, is how it is stored with a model.
public struct ChannelNormalization: Sendable, Equatable {
    /// The mean subtracted from each channel.
    public var mean: [Float]
    /// The standard deviation each channel is divided by (positive, finite).
    public var standardDeviation: [Float]

    /// Creates a normalization from one mean and one standard deviation per channel.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(!mean.isEmpty && mean.count == standardDeviation.count,
                     "\(mean.count) means for \(standardDeviation.count) standard deviations")
        precondition(mean.allSatisfy(\.isFinite), "means must be finite, got \(mean)")
        precondition(standardDeviation.allSatisfy { $0.isFinite && $0 > 0 },
                     "standard deviations must be positive and finite, got \(standardDeviation)")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The number of channels.
    public var channelCount: Int { mean.count }

    /// The mean and (population) standard deviation of each channel over every sample of
    /// `dataset` (axis 1 of its inputs), accumulated in `Double`. A channel whose values are all
    /// equal gets standard deviation 1, so that applying it stays finite.
    public static func measured(on dataset: LabeledDataset) -> ChannelNormalization {
        let shape = dataset.inputs.shape
        precondition(shape.count >= 2 && shape[1] > 0, "inputs \(shape) have no channel axis")
        precondition(dataset.count > 0, "cannot measure channel statistics of an empty data set")
        let channels = shape[1], planeSize = Tensor.elementCount(of: Array(shape.dropFirst(2)))
        var sums = [Double](repeating: 0, count: channels), squareSums = sums
        dataset.inputs.withUnsafeBufferPointer { values in
            for plane in 0..<(dataset.count * channels) {
                let start = values.baseAddress! + plane * planeSize
                var sum = 0.0, squareSum = 0.0
                var index = 0
                while index < planeSize {
                    let value = Double(start[index])
                    sum += value
                    squareSum += value * value
                    index += 1
                }
                sums[plane % channels] += sum
                squareSums[plane % channels] += squareSum
            }
        }
        let valueCount = Double(dataset.count * planeSize)
        let means = sums.map { $0 / valueCount }
        let deviations = zip(squareSums, means).map { squareSum, mean in
            let deviation = max(squareSum / valueCount - mean * mean, 0).squareRoot()
            return deviation > 0 && deviation.isFinite ? Float(deviation) : 1
        }
        return ChannelNormalization(mean: means.map { Float($0) }, standardDeviation: deviations)
    }

    /// `inputs` `[count, channelCount, …]` normalized.
    public func apply(to inputs: Tensor) -> Tensor {
        precondition(inputs.rank >= 2 && inputs.shape[1] == channelCount,
                     "inputs \(inputs.shape) do not have \(channelCount) channels on axis 1")
        let planeSize = Tensor.elementCount(of: Array(inputs.shape.dropFirst(2)))
        let planeCount = inputs.shape[0] * channelCount
        var result = inputs
        result.withUnsafeMutableBufferPointer { values in
            for plane in 0..<planeCount {
                let channel = plane % channelCount
                let shift = mean[channel], scale = 1 / standardDeviation[channel]
                let start = values.baseAddress! + plane * planeSize
                var index = 0
                while index < planeSize {
                    start[index] = (start[index] - shift) * scale
                    index += 1
                }
            }
        }
        return result
    }

    /// `dataset` with its inputs normalized (labels unchanged).
    public func apply(to dataset: LabeledDataset) -> LabeledDataset {
        LabeledDataset(inputs: apply(to: dataset.inputs), labels: dataset.labels, classCount: dataset.classCount)
    }
}
