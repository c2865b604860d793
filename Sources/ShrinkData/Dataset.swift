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

extension LabeledDataset {
    /// Gathers the samples at `indices` into one batch, in that order.
    public func batch(at indices: some Collection<Int>) -> Batch {
        let sampleSize = Tensor.elementCount(of: sampleShape)
        var scalars = [Float](repeating: 0, count: indices.count * sampleSize)
        var labels = [Int]()
        labels.reserveCapacity(indices.count)
        inputs.withUnsafeBufferPointer { source in
            scalars.withUnsafeMutableBufferPointer { destination in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "sample index \(index) out of range 0..<\(count)")
                    let from = source.baseAddress! + index * sampleSize
                    (destination.baseAddress! + row * sampleSize).update(from: from, count: sampleSize)
                }
            }
        }
        for index in indices { labels.append(self.labels[index]) }
        return Batch(inputs: Tensor(shape: [indices.count] + sampleShape, scalars: scalars), labels: labels)
    }

    /// The dataset cut into mini-batches of `size` in storage order (the last may be smaller).
    public func batches(size: Int) -> [Batch] {
        batches(size: size, order: Array(0..<count))
    }

    /// The dataset cut into mini-batches of `size` in a seeded random order.
    public func shuffledBatches(size: Int, using generator: inout SeededRandomNumberGenerator) -> [Batch] {
        var order = Array(0..<count)
        order.seededShuffle(using: &generator)
        return batches(size: size, order: order)
    }

    private func batches(size: Int, order: [Int]) -> [Batch] {
        precondition(size > 0, "batch size must be positive")
        return stride(from: 0, to: order.count, by: size).map { start in
            batch(at: order[start..<min(start + size, order.count)])
        }
    }

    /// The first `limit` samples (or all, if fewer): for quick runs and tests.
    public func prefix(_ limit: Int) -> LabeledDataset {
        let kept = min(limit, count)
        return LabeledDataset(
            inputs: Tensor(shape: [kept] + sampleShape,
                           scalars: Array(inputs.scalars[0..<(kept * Tensor.elementCount(of: sampleShape))])),
            labels: Array(labels[0..<kept]), classCount: classCount)
    }
}
