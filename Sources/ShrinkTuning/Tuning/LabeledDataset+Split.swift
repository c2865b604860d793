import ShrinkData
import ShrinkTensor

extension LabeledDataset {
    /// The samples from `start` to the end (the validation split the tuner holds out of the
    /// training set: `prefix(count − n)` trains, `suffix(from: count − n)` validates).
    public func suffix(from start: Int) -> LabeledDataset {
        let first = max(0, min(start, count))
        let size = Tensor.elementCount(of: sampleShape)
        return LabeledDataset(
            inputs: Tensor(shape: [count - first] + sampleShape, scalars: Array(inputs.scalars[(first * size)..<(count * size)])),
            labels: Array(labels[first..<count]), classCount: classCount)
    }
}
