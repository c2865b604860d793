import ShrinkData
import ShrinkTensor

/// A random change to every training batch (data augmentation), drawn from the generator the
/// trainer seeds with the run's seed and the epoch, so runs are reproducible.
public protocol TrainingBatchTransform: Sendable {
    /// `batch` transformed (the labels unchanged).
    func transformed(_ batch: Batch, using generator: inout SeededRandomNumberGenerator) -> Batch
}

/// Random crops with zero padding and horizontal flips, one per image (`ImageAugmentation`).
extension ImageAugmentation: TrainingBatchTransform {
    public func transformed(_ batch: Batch, using generator: inout SeededRandomNumberGenerator) -> Batch {
        augmented(batch, using: &generator)
    }
}
