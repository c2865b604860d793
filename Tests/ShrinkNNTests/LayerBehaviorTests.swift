import ShrinkTensor
import Testing
@testable import ShrinkNN

@Suite struct LayerBehaviorTests {
    @Test func kaimingUniformBoundsAndDeterminism() {
        var first = SeededRandomNumberGenerator(seed: 31)
        var second = SeededRandomNumberGenerator(seed: 31)
        let a = Convolution2D(name: "conv", inputChannels: 4, outputChannels: 6, kernelSize: 3, generator: &first)
        let b = Convolution2D(name: "conv", inputChannels: 4, outputChannels: 6, kernelSize: 3, generator: &second)
        #expect(a.weight.value == b.weight.value && a.bias!.value == b.bias!.value)
        let bound = 1 / Float(4 * 9).squareRoot()
        for tensor in [a.weight.value, a.bias!.value] {
            #expect(tensor.scalars.allSatisfy { abs($0) <= bound })
            // Spread over the range, not collapsed near zero.
            #expect((tensor.scalars.map(abs).max() ?? 0) > 0.8 * bound)
        }
        var generator = SeededRandomNumberGenerator(seed: 32)
        let linear = Linear(name: "fc", inputFeatures: 100, outputFeatures: 20, generator: &generator)
        #expect(linear.weight.value.shape == [20, 100] && linear.bias!.value.shape == [20])
        #expect(linear.weight.value.scalars.allSatisfy { abs($0) <= 0.1 })
        #expect(linear.parameters.map(\.name) == ["fc.weight", "fc.bias"])
    }

    @Test func linearForwardComputesAffineMap() {
        var generator = SeededRandomNumberGenerator(seed: 33)
        let layer = Linear(name: "fc", inputFeatures: 2, outputFeatures: 2, generator: &generator)
        layer.weight.value = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        layer.bias!.value = Tensor(shape: [2], scalars: [10, 20])
        let output = layer.forward(Tensor(shape: [1, 2], scalars: [1, -1]), mode: .inference)
        let expected: [Float] = [9, 19]  // [1·1 − 2·1 + 10, 3·1 − 4·1 + 20]
        #expect(output.scalars == expected)
    }

    @Test func maxPoolPicksWindowMaxima() {
        let layer = MaxPool2D(name: "pool", kernelSize: 2, stride: 2)
        let input = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 7])
        #expect(layer.forward(input, mode: .training).scalars == [5, 8])
        let gradient = layer.backward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]))
        #expect(gradient.scalars == [0, 1, 0, 0, 0, 0, 2, 0])
    }

    @Test func dropoutIsIdentityInInferenceAndScaledInTraining() {
        var generator = SeededRandomNumberGenerator(seed: 34)
        let input = Tensor.randomUniform(shape: [20, 50], lowerBound: 1, upperBound: 2, using: &generator)
        let layer = Dropout(name: "drop", rate: 0.25, seed: 5)
        #expect(layer.forward(input, mode: .inference) == input)
        let output = layer.forward(input, mode: .training)
        let dropped = output.scalars.filter { $0 == 0 }.count
        #expect(dropped > 150 && dropped < 350)  // 25% of 1000 expected
        for (out, value) in zip(output.scalars, input.scalars) where out != 0 {
            #expect(abs(out - value / 0.75) <= 1e-6 * out)
        }
        let replay = Dropout(name: "drop", rate: 0.25, seed: 5)
        #expect(replay.forward(input, mode: .training) == output)
    }

    @Test func batchNormalizationStatistics() {
        var generator = SeededRandomNumberGenerator(seed: 35)
        let layer = BatchNormalization2D(name: "bn", channels: 2, epsilon: 1e-5, momentum: 0.1)
        #expect(layer.parameters.map(\.name) == ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"])
        #expect(layer.parameters.map(\.kind) == [.trainable, .trainable, .buffer, .buffer])
        let input = Tensor.randomNormal(shape: [4, 2, 3, 3], mean: 3, standardDeviation: 2, using: &generator)
        let output = layer.forward(input, mode: .training)
        for channel in 0..<2 {
            var values: [Double] = []
            var raw: [Double] = []
            for sample in 0..<4 {
                for row in 0..<3 {
                    for column in 0..<3 {
                        values.append(Double(output[sample, channel, row, column]))
                        raw.append(Double(input[sample, channel, row, column]))
                    }
                }
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3)
            let rawMean = raw.reduce(0, +) / Double(raw.count)
            let unbiased = raw.map { ($0 - rawMean) * ($0 - rawMean) }.reduce(0, +) / Double(raw.count - 1)
            #expect(abs(Double(layer.runningMean.value.scalars[channel]) - 0.1 * rawMean) < 1e-5)
            #expect(abs(Double(layer.runningVariance.value.scalars[channel]) - (0.9 + 0.1 * unbiased)) < 1e-4)
        }
        // Inference uses the running statistics.
        layer.runningMean.value = Tensor(shape: [2], scalars: [1, -1])
        layer.runningVariance.value = Tensor(shape: [2], scalars: [4, 0.25])
        layer.weight.value = Tensor(shape: [2], scalars: [2, 1])
        layer.bias.value = Tensor(shape: [2], scalars: [0.5, 0])
        let sample = Tensor(shape: [1, 2, 1, 1], scalars: [3, 0])
        let inferred = layer.forward(sample, mode: .inference)
        #expect(abs(inferred.scalars[0] - (2 * (3 - 1) / (4 + 1e-5).squareRoot() + 0.5)) < 1e-5)
        #expect(abs(inferred.scalars[1] - (0 + 1) / (0.25 + 1e-5).squareRoot()) < 1e-5)
    }
}
