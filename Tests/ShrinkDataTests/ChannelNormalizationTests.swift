import Testing
import ShrinkTensor
@testable import ShrinkData

@Suite("ChannelNormalization")
struct ChannelNormalizationTests {
    /// The mean and population standard deviation of each channel, computed the slow way.
    private func statistics(of inputs: Tensor) -> [(mean: Double, deviation: Double)] {
        let (count, channels) = (inputs.shape[0], inputs.shape[1])
        let planeSize = inputs.count / (count * channels)
        return (0..<channels).map { channel in
            var values = [Double]()
            for sample in 0..<count {
                let start = (sample * channels + channel) * planeSize
                values += inputs.scalars[start..<(start + planeSize)].map(Double.init)
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            return (mean, variance.squareRoot())
        }
    }

    @Test("Measured on the CIFAR-10 subset, it gives mean 0 and standard deviation 1 per channel there")
    func standardizesWhatItMeasured() throws {
        let training = try CIFAR10.load(split: .train, from: CIFAR10.defaultSubsetDirectory(), trainingBatches: CIFAR10.subsetTrainingBatches)
        let normalization = ChannelNormalization.measured(on: training)
        #expect(normalization.channelCount == 3)
        for (channel, expected) in statistics(of: training.inputs).enumerated() {
            #expect(abs(Double(normalization.mean[channel]) - expected.mean) < 1e-6)
            #expect(abs(Double(normalization.standardDeviation[channel]) - expected.deviation) < 1e-6)
            #expect(expected.mean > 0.3 && expected.mean < 0.7 && expected.deviation > 0.15)
        }
        let normalized = normalization.apply(to: training)
        #expect(normalized.labels == training.labels && normalized.inputs.shape == training.inputs.shape)
        for measured in statistics(of: normalized.inputs) {
            #expect(abs(measured.mean) < 1e-5, "mean \(measured.mean)")
            #expect(abs(measured.deviation - 1) < 1e-5, "standard deviation \(measured.deviation)")
        }
    }

    @Test("Known values; a constant channel gets standard deviation 1")
    func knownValues() {
        // Two samples, two channels of two values: channel 0 holds 0, 2, 4, 6; channel 1 is all 5.
        let inputs = Tensor(shape: [2, 2, 2], scalars: [0, 2, 5, 5, 4, 6, 5, 5])
        let dataset = LabeledDataset(inputs: inputs, labels: [0, 1], classCount: 2)
        let normalization = ChannelNormalization.measured(on: dataset)
        #expect(normalization.mean == [3, 5])
        #expect(normalization.standardDeviation == [Float(5).squareRoot(), 1])
        let normalized = normalization.apply(to: inputs)
        #expect(normalized.scalars[2...3] == [0, 0] && normalized.scalars[6...7] == [0, 0])
        #expect(abs(normalized.scalars[0] - (-3 / Float(5).squareRoot())) < 1e-6)
        let given = ChannelNormalization(mean: [1, 2], standardDeviation: [2, 4])
        #expect(given.apply(to: inputs).scalars == [-0.5, 0.5, 0.75, 0.75, 1.5, 2.5, 0.75, 0.75])
    }
}
