import ShrinkTensor

/// Random crop with zero padding and random horizontal flip of images `[count, channels, height,
/// width]`, the usual CIFAR-10 training augmentation, drawn from a `SeededRandomNumberGenerator`
/// so that a seed gives the same augmented epoch on every machine.
///
/// Each image is padded with `padding` zeros on every side and cropped back to its size at a
/// random offset (`0...2 · padding` rows and columns, each uniform), then mirrored left to right
/// with probability `flipProbability`. Every channel of an image gets the same choice; labels are
/// unchanged. Draw a fresh augmented copy each epoch (for example from a generator seeded with the
/// run's seed and the epoch number).
public struct ImageAugmentation: Sendable, Equatable {
    /// Zero rows and columns added on each side before cropping.
    public var padding: Int
    /// The probability that an image is mirrored left to right.
    public var flipProbability: Float

    /// Creates an augmentation; the defaults are the common CIFAR-10 choice.
    public init(padding: Int = 4, flipProbability: Float = 0.5) {
        precondition(padding >= 0, "padding must not be negative, got \(padding)")
        precondition((0...1).contains(flipProbability), "flipProbability must be in 0...1, got \(flipProbability)")
        self.padding = padding
        self.flipProbability = flipProbability
    }

    /// The random choices for one image.
    public struct Transform: Sendable, Equatable {
        /// The crop's first row in the padded image, `0...2 · padding` (`padding` keeps rows in place).
        public var rowOffset: Int
        /// The crop's first column in the padded image, `0...2 · padding` (`padding` keeps columns in place).
        public var columnOffset: Int
        /// Whether the cropped image is mirrored left to right.
        public var flipsHorizontally: Bool

        /// Creates the choices for one image.
        public init(rowOffset: Int, columnOffset: Int, flipsHorizontally: Bool) {
            self.rowOffset = rowOffset
            self.columnOffset = columnOffset
            self.flipsHorizontally = flipsHorizontally
        }
    }

    /// `count` random transforms, drawn in order (row offset, column offset, flip for each image).
    public func randomTransforms(count: Int, using generator: inout SeededRandomNumberGenerator) -> [Transform] {
        (0..<count).map { _ in
            let rowOffset = generator.nextIndex(below: 2 * padding + 1)
            let columnOffset = generator.nextIndex(below: 2 * padding + 1)
            return Transform(rowOffset: rowOffset, columnOffset: columnOffset,
                             flipsHorizontally: generator.nextUniform() < flipProbability)
        }
    }

    /// An augmented copy of `batch`, one random transform per image.
    public func augmented(_ batch: Batch, using generator: inout SeededRandomNumberGenerator) -> Batch {
        let transforms = randomTransforms(count: batch.labels.count, using: &generator)
        return Batch(inputs: applying(transforms, to: batch.inputs), labels: batch.labels)
    }

    /// An augmented copy of `dataset` (for one epoch), one random transform per image.
    public func augmented(_ dataset: LabeledDataset, using generator: inout SeededRandomNumberGenerator) -> LabeledDataset {
        let transforms = randomTransforms(count: dataset.count, using: &generator)
        return LabeledDataset(inputs: applying(transforms, to: dataset.inputs), labels: dataset.labels,
                              classCount: dataset.classCount)
    }
}
