import ShrinkTensor
import Testing
@testable import ShrinkNN

@Suite struct LayerGradientTests {
    @Test func linear() {
        var generator = SeededRandomNumberGenerator(seed: 1)
        let layer = Linear(name: "fc", inputFeatures: 5, outputFeatures: 4, generator: &generator)
        let input = Tensor.randomNormal(shape: [3, 5], using: &generator)
        GradientChecking.check(layer, input: input)
    }

    @Test func linearWithoutBias() {
        var generator = SeededRandomNumberGenerator(seed: 2)
        let layer = Linear(name: "fc", inputFeatures: 3, outputFeatures: 2, hasBias: false, generator: &generator)
        #expect(layer.parameters.map(\.name) == ["fc.weight"])
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [4, 3], using: &generator))
    }

    @Test func convolutionStrideTwoPaddingOneOddSizes() {
        var generator = SeededRandomNumberGenerator(seed: 3)
        let layer = Convolution2D(
            name: "conv", inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1,
            generator: &generator)
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [2, 3, 7, 6], using: &generator))
    }

    @Test func convolutionStrideOneNoBiasGroupedSamples() {
        var generator = SeededRandomNumberGenerator(seed: 4)
        let layer = Convolution2D(
            name: "conv", inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 1, padding: 2,
            hasBias: false, generator: &generator)
        // Several samples lowered into one GEMM (the default budget holds the whole batch).
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [3, 2, 5, 4], using: &generator))
    }

    @Test func convolutionOneSampleAtATime() {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let layer = Convolution2D(
            name: "conv", inputChannels: 2, outputChannels: 2, kernelSize: 2, stride: 3, padding: 0,
            generator: &generator)
        layer.columnBudget = 1
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [2, 2, 8, 7], using: &generator))
    }

    @Test func maxPoolStrideDiffersFromKernel() {
        var generator = SeededRandomNumberGenerator(seed: 6)
        let overlapping = MaxPool2D(name: "pool", kernelSize: 3, stride: 2)
        GradientChecking.check(
            overlapping, input: GradientChecking.distinctValues(shape: [2, 2, 7, 6], generator: &generator))
        let lenetStyle = MaxPool2D(name: "pool", kernelSize: 2, stride: 2)
        GradientChecking.check(
            lenetStyle, input: GradientChecking.distinctValues(shape: [2, 2, 5, 6], generator: &generator))
        let gapped = MaxPool2D(name: "pool", kernelSize: 2, stride: 3)
        GradientChecking.check(
            gapped, input: GradientChecking.distinctValues(shape: [1, 3, 8, 7], generator: &generator))
    }

    @Test func averagePool() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let layer = AveragePool2D(name: "pool", kernelSize: 3, stride: 2)
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [2, 2, 7, 8], using: &generator))
    }

    @Test func relu() {
        var generator = SeededRandomNumberGenerator(seed: 8)
        GradientChecking.check(
            ReLU(name: "relu"), input: GradientChecking.awayFromZero(shape: [3, 2, 5], generator: &generator))
    }

    @Test func flatten() {
        var generator = SeededRandomNumberGenerator(seed: 9)
        let layer = Flatten(name: "flatten")
        let input = Tensor.randomNormal(shape: [2, 3, 2, 2], using: &generator)
        #expect(layer.forward(input, mode: .inference).shape == [2, 12])
        GradientChecking.check(layer, input: input)
    }

    @Test func dropoutWithReplayedMask() {
        var generator = SeededRandomNumberGenerator(seed: 10)
        let layer = Dropout(name: "drop", rate: 0.4, seed: 99)
        GradientChecking.check(layer, input: Tensor.randomNormal(shape: [4, 6], using: &generator)) {
            layer.generator = SeededRandomNumberGenerator(seed: 99)
        }
    }

    @Test func batchNormalizationTraining() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let layer = BatchNormalization2D(name: "bn", channels: 3)
        layer.weight.value = Tensor.randomUniform(shape: [3], lowerBound: 0.5, upperBound: 1.5, using: &generator)
        layer.bias.value = Tensor.randomNormal(shape: [3], using: &generator)
        let input = Tensor.randomNormal(shape: [2, 3, 3, 4], mean: 0.5, standardDeviation: 2, using: &generator)
        GradientChecking.check(layer, input: input, epsilon: 1e-2, tolerance: 2e-2)
    }
}
