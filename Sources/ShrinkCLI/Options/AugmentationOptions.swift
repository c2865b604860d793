import ArgumentParser
import ShrinkData

/// `--augmentation` / `--no-augmentation`, shared by every command that trains: random crops
/// with padding and horizontal flips of every training image, on by default for CIFAR-10 (the
/// usual recipe for its CNNs) and off for MNIST (a flipped digit is another digit).
struct AugmentationOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo,
          help: "Random crops of every training image padded by 4 pixels (same size out) and random horizontal flips, seeded (default: on for cifar10, off for mnist).")
    var augmentation: Bool?

    /// The augmentation to train with on `dataset`, or `nil` for none.
    func augmentation(for dataset: DatasetName) -> ImageAugmentation? {
        (augmentation ?? (dataset == .cifar10)) ? ImageAugmentation() : nil
    }
}
