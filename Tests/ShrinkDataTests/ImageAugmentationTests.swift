import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("ImageAugmentation")
struct ImageAugmentationTests {
    /// `count` images of `channels × height × width` with distinct seeded values.
    private func images(count: Int = 6, channels: Int = 3, height: Int = 5, width: Int = 7, seed: UInt64 = 1) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let shape = [count, channels, height, width]
        return Tensor(shape: shape, scalars: (0..<Tensor.elementCount(of: shape)).map { _ in generator.nextUniform() + 0.5 })
    }

    /// The transform written out the slow way: pad with zeros, crop, then mirror.
    private func reference(_ transform: ImageAugmentation.Transform, padding: Int, image: Int, of inputs: Tensor) -> [Float] {
        let (channels, height, width) = (inputs.shape[1], inputs.shape[2], inputs.shape[3])
        var result = [Float]()
        for channel in 0..<channels {
            for row in 0..<height {
                for column in 0..<width {
                    let croppedColumn = transform.flipsHorizontally ? width - 1 - column : column
                    let sourceRow = row + transform.rowOffset - padding
                    let sourceColumn = croppedColumn + transform.columnOffset - padding
                    let inside = (0..<height).contains(sourceRow) && (0..<width).contains(sourceColumn)
                    result.append(inside ? inputs[image, channel, sourceRow, sourceColumn] : 0)
                }
            }
        }
        return result
    }

    @Test("Random crops and flips equal padding, cropping and mirroring done the slow way", arguments: [0, 1, 4, 9])
    func matchesReference(padding: Int) {
        let inputs = images()
        let augmentation = ImageAugmentation(padding: padding)
        var generator = SeededRandomNumberGenerator(seed: 7)
        let transforms = augmentation.randomTransforms(count: inputs.shape[0], using: &generator)
        let output = augmentation.applying(transforms, to: inputs)
        #expect(output.shape == inputs.shape)
        let imageSize = Tensor.elementCount(of: Array(inputs.shape.dropFirst()))
        for (image, transform) in transforms.enumerated() {
            #expect(Array(output.scalars[(image * imageSize)..<((image + 1) * imageSize)])
                        == reference(transform, padding: padding, image: image, of: inputs), "\(transform)")
        }
    }

    @Test("The same seed gives the same epoch; another seed another one; labels and shapes are kept")
    func seededDeterminism() {
        let dataset = LabeledDataset(inputs: images(count: 20), labels: (0..<20).map { $0 % 10 }, classCount: 10)
        let augmentation = ImageAugmentation()
        var first = SeededRandomNumberGenerator(seed: 42), again = SeededRandomNumberGenerator(seed: 42)
        var other = SeededRandomNumberGenerator(seed: 43)
        let a = augmentation.augmented(dataset, using: &first)
        let b = augmentation.augmented(dataset, using: &again)
        let c = augmentation.augmented(dataset, using: &other)
        #expect(a.inputs == b.inputs)
        #expect(a.inputs != c.inputs)
        #expect(a.inputs != dataset.inputs)
        #expect(a.inputs.shape == dataset.inputs.shape && a.labels == dataset.labels && a.classCount == 10)
        let batch = dataset.batch(at: [3, 1, 4])
        var generator = SeededRandomNumberGenerator(seed: 42)
        let augmentedBatch = augmentation.augmented(batch, using: &generator)
        #expect(augmentedBatch.inputs.shape == batch.inputs.shape && augmentedBatch.labels == batch.labels)
    }

    @Test("A flip applied twice is the identity; a crop with padding 0 at offset 0 is the identity")
    func identities() {
        let inputs = images()
        let count = inputs.shape[0]
        let augmentation = ImageAugmentation(padding: 4)
        let flip = [ImageAugmentation.Transform](
            repeating: .init(rowOffset: 4, columnOffset: 4, flipsHorizontally: true), count: count)
        let flipped = augmentation.applying(flip, to: inputs)
        #expect(flipped != inputs)
        #expect(augmentation.applying(flip, to: flipped) == inputs)
        let unpadded = ImageAugmentation(padding: 0, flipProbability: 0)
        let still = [ImageAugmentation.Transform](repeating: .init(rowOffset: 0, columnOffset: 0, flipsHorizontally: false), count: count)
        #expect(unpadded.applying(still, to: inputs) == inputs)
        var generator = SeededRandomNumberGenerator(seed: 3)
        #expect(unpadded.augmented(LabeledDataset(inputs: inputs, labels: [Int](repeating: 0, count: count), classCount: 1),
                                   using: &generator).inputs == inputs)
    }

    @Test("Offsets cover 0...2·padding and about half the images are flipped")
    func distribution() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let transforms = ImageAugmentation().randomTransforms(count: 4000, using: &generator)
        #expect(Set(transforms.map(\.rowOffset)) == Set(0...8))
        #expect(Set(transforms.map(\.columnOffset)) == Set(0...8))
        let flips = transforms.filter(\.flipsHorizontally).count
        #expect(abs(flips - 2000) < 150, "\(flips) of 4000 flipped")
    }
}
