import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct QuantizationLayerTests {
    static func linear(seed: UInt64, inputs: Int = 5, outputs: Int = 3) -> Linear {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return Linear(name: "fc", inputFeatures: inputs, outputFeatures: outputs, generator: &generator)
    }

    /// The graph kernel of a Linear node running `layer`'s parameters.
    static func kernel(_ layer: Linear) -> any OperatorKernel {
        var generator = SeededRandomNumberGenerator(seed: 0)
        return LinearOperator(inputFeatures: layer.inputFeatures, outputFeatures: layer.outputFeatures)
            .makeKernel(name: layer.name, weights: [layer.weight, layer.bias!], generator: &generator)
    }

    static let node = WeightNode(name: "fc", typeName: "Linear", index: 0)

    @Test func fakeQuantizedKernelRestoresFloatWeightsAndUsesQuantizedOnes() throws {
        let layer = Self.linear(seed: 1)
        let floatWeights = layer.weight.value
        let wrapper = try FakeQuantizedKernel(wrapping: Self.kernel(layer), node: Self.node, weight: layer.weight,
                                              weightScheme: .weights(bits: 4), activationScheme: .activations(bits: 8))
        var generator = SeededRandomNumberGenerator(seed: 2)
        let input = Tensor.randomNormal(shape: [4, 5], using: &generator) // [batch, in]
        let outputGradient = Tensor.randomNormal(shape: [4, 3], using: &generator) // [batch, out]

        let output = wrapper.forward([input], mode: .training)[0]
        #expect(layer.weight.value != floatWeights) // quantized weights in place between forward and backward
        layer.weight.zeroGradient()
        let inputGradient = wrapper.backward([outputGradient], needsInputGradients: [true])[0]!
        #expect(layer.weight.value == floatWeights) // restored before the optimizer step

        // Reference: a plain Linear with the fake-quantized weights on the fake-quantized input.
        let reference = Self.linear(seed: 1)
        let weightParameters = try AffineQuantization.parameters(minMaxOf: floatWeights, scheme: .weights(bits: 4))
        reference.weight.value = AffineQuantization.fakeQuantize(floatWeights, with: weightParameters)
        let inputRange = input.withUnsafeBufferPointer { QuantizationRange.finiteExtremes(of: $0)! }
        let inputParameters = try AffineQuantization.parameters(for: inputRange, scheme: .activations(bits: 8))
        #expect(wrapper.activationParameters() == inputParameters)
        let referenceOutput = reference.forward(AffineQuantization.fakeQuantize(input, with: inputParameters), mode: .training)
        reference.weight.zeroGradient()
        let referenceInputGradient = reference.backward(outputGradient)
        #expect(output == referenceOutput)
        #expect(layer.weight.gradient == reference.weight.gradient)
        #expect(inputGradient == referenceInputGradient) // min-max input range: nothing clamped

        // Inference leaves the float weights in place and uses the tracked range without updating it.
        let before = wrapper.activationParameters()
        let inference = wrapper.forward([Tensor(repeating: 100, shape: [1, 5])], mode: .inference)[0]
        #expect(layer.weight.value == floatWeights)
        #expect(wrapper.activationParameters() == before)
        #expect(inference.shape == [1, 3])

        // A training forward without backward is undone by the next forward.
        _ = wrapper.forward([input], mode: .training)
        _ = wrapper.forward([input], mode: .inference)
        #expect(layer.weight.value == floatWeights)
    }

    @Test func simulationKernelGradientIsStraightThroughInsideAndZeroWhereClamped() {
        let layer = Self.linear(seed: 4, inputs: 4, outputs: 2)
        // Input codes: scale 0.1 unsigned asymmetric, zero point 10 → representable [−1, 24.5].
        let parameters = QuantizationParameters(bits: 8, isSigned: false, isSymmetric: false, axis: nil, scales: [0.1], zeroPoints: [10])
        let wrapper = QuantizedSimulationKernel(wrapping: Self.kernel(layer), input: .fixed(parameters))
        let input = Tensor(shape: [1, 4], scalars: [-3, 0.42, 2.0, 40]) // −3 and 40 are clamped
        let outputGradient = Tensor(shape: [1, 2], scalars: [1, -0.5])
        _ = wrapper.forward([input], mode: .training)
        let gradient = wrapper.backward([outputGradient], needsInputGradients: [true])[0]!

        // Loss L(x) = Σ_j g_j · y_j(x). Finite differences of the quantized layer with a step
        // spanning several codes: slope 0 where clamped; inside, the float layer's slope (STE).
        func loss(_ x: Tensor, quantized: Bool) -> Float {
            let y = quantized ? wrapper.forward([x], mode: .inference)[0] : layer.forward(x, mode: .inference)
            return zip(y.scalars, outputGradient.scalars).map(*).reduce(0, +)
        }
        for index in 0..<4 {
            var plus = input, minus = input
            plus.scalars[index] += 0.5
            minus.scalars[index] -= 0.5
            let clamped = index == 0 || index == 3
            let quantizedSlope = (loss(plus, quantized: true) - loss(minus, quantized: true)) / 1
            let floatSlope = (loss(plus, quantized: false) - loss(minus, quantized: false)) / 1
            if clamped {
                #expect(quantizedSlope == 0)
                #expect(gradient.scalars[index] == 0)
            } else {
                #expect(abs(gradient.scalars[index] - floatSlope) < 1e-4)
                #expect(abs(quantizedSlope - floatSlope) < 0.2 * max(1, abs(floatSlope)))
            }
        }
    }

    @Test func dynamicSimulationQuantizesEachBatchWithItsOwnRange() throws {
        let layer = Self.linear(seed: 6, inputs: 3, outputs: 2)
        let wrapper = QuantizedSimulationKernel(wrapping: Self.kernel(layer), input: .dynamic(.activations(bits: 8)))
        let batch = Tensor(shape: [2, 3], scalars: [0, 0.3, 1.7, 2.55, 0.01, 1])
        let expected = try AffineQuantization.parameters(for: QuantizationRange(minimum: 0, maximum: 2.55), scheme: .activations(bits: 8))
        #expect(wrapper.inputParameters(for: batch) == expected)
        #expect(wrapper.forward([batch], mode: .inference)[0] == layer.forward(AffineQuantization.fakeQuantize(batch, with: expected), mode: .inference))
    }
}
