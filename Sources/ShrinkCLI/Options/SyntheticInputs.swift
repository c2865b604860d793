import ShrinkData
import ShrinkTensor

/// Seeded synthetic inputs for calibrating a model no data set fits (post-training recipes only).
enum SyntheticInputs {
    /// `count` samples of `sampleShape`, uniform in [0, 1), labelled 0 (labels are not read by
    /// calibration).
    static func dataset(sampleShape: [Int], count: Int, seed: UInt64) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let shape = [count] + sampleShape
        let inputs = Tensor(shape: shape, scalars: (0..<Tensor.elementCount(of: shape)).map { _ in generator.nextUniform() })
        return LabeledDataset(inputs: inputs, labels: [Int](repeating: 0, count: count), classCount: 1)
    }
}
