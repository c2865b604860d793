import ShrinkTensor

/// A labelled classification dataset held in memory.
public struct LabeledDataset: Sendable {
    /// All samples stacked: `[count, channels, height, width]` (or `[count, features]`).
    public var inputs: Tensor
    /// One class index per sample, in `0..<classCount`.
    public var labels: [Int]
    /// The number of classes.
    public var classCount: Int

    public init(inputs: Tensor, labels: [Int], classCount: Int) {
        precondition(inputs.shape.first == labels.count, "inputs hold \(inputs.shape.first ?? 0) samples, labels \(labels.count)")
        self.inputs = inputs
        self.labels = labels
        self.classCount = classCount
    }

    /// The number of samples.
    public var count: Int { labels.count }

    /// The shape of one sample, without the batch dimension.
    public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }
}

/// One mini-batch: inputs `[batchSize, ...sampleShape]` and their labels.
public struct Batch: Sendable {
    public var inputs: Tensor
    public var labels: [Int]

    public init(inputs: Tensor, labels: [Int]) {
        self.inputs = inputs
        self.labels = labels
    }
}
