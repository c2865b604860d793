import ShrinkNN
import ShrinkTensor
import Testing

@Suite struct GraphNetworkTests {
    /// The zoo's graphs draw the same initial weights as the chain models they replaced and
    /// compute the same outputs: weighted checksums of the initial weights (seed 7), of the
    /// outputs on a seeded input and the generator's next draw, computed with the chain
    /// `Sequential` of format 1.x days (a test then also compared every weight, output and
    /// gradient bit for bit).
    @Test(arguments: [
        ("lenet-300-100", [44.65703388303518, 4.4678491316735744, 897626.0]),
        ("lenet-5", [35.643366469070315, 10.967207027599216, 282128.0]),
        ("mlp-784-100-10", [-12.142358938232064, -9.679295100271702, 250677.0]),
    ])
    func zooGraphsKeepTheChainModelsWeightsAndOutputs(name: String, expected: [Double]) throws {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let network = try GraphNetwork(graph: ModelZoo.graph(named: name), generator: &generator)
        var inputGenerator = SeededRandomNumberGenerator(seed: 1)
        let input = Tensor.randomUniform(shape: [3, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &inputGenerator)
        let output = network.forward(input, mode: .inference)
        let weightSum = network.parameters.reduce(0.0) { total, parameter in
            total + parameter.value.scalars.enumerated().reduce(0.0) { $0 + Double($1.element) * Double($1.offset % 7 + 1) }
        }
        let outputSum = output.scalars.enumerated().reduce(0.0) { $0 + Double($1.element) * Double($1.offset + 1) }
        let nextDraw = Double(generator.next() % 1_000_000)
        #expect(weightSum == expected[0])
        #expect(outputSum == expected[1])
        #expect(nextDraw == expected[2])
    }

    /// A value read by two nodes gets the sum of both gradients.
    @Test func fanOutGradientsAreSummed() throws {
        var builder = GraphBuilder(name: "fan-out", inputShape: [4])
        let shared = builder.add("shared", LinearOperator(inputFeatures: 4, outputFeatures: 3, hasBias: false), builder.input)
        let left = builder.add("left", LinearOperator(inputFeatures: 3, outputFeatures: 2, hasBias: false), shared)
        let right = builder.add("right", ReLUOperator(), shared)
        var generator = SeededRandomNumberGenerator(seed: 3)
        let network = try GraphNetwork(graph: builder.finish(outputs: [left, right]), generator: &generator)
        let input = Tensor.randomUniform(shape: [2, 4], lowerBound: -1, upperBound: 1, using: &generator)
        let outputs = network.forward(inputs: ["input": input], mode: .training)
        let ones = [left: Tensor(repeating: 1, shape: outputs[left]!.shape), right: Tensor(repeating: 1, shape: outputs[right]!.shape)]
        _ = network.backward(outputGradients: ones)
        // d/dW_shared of sum(left) + sum(relu(shared)) = (W_leftᵀ·1 + [shared > 0]) ⊗ x, summed over the batch.
        let sharedWeight = network.parameter(named: "shared.weight")!
        let leftWeight = network.parameter(named: "left.weight")!.value
        let hidden = outputs[right]!
        var expected = [Float](repeating: 0, count: 12)
        for row in 0..<2 {
            for unit in 0..<3 {
                let upstream = leftWeight.scalars[unit] + leftWeight.scalars[3 + unit]
                let preActivation = (0..<4).reduce(Float(0)) { $0 + sharedWeight.value.scalars[unit * 4 + $1] * input.scalars[row * 4 + $1] }
                let gate: Float = preActivation > 0 ? 1 : 0
                #expect((hidden.scalars[row * 3 + unit] > 0) == (gate == 1))
                for feature in 0..<4 { expected[unit * 4 + feature] += (upstream + gate) * input.scalars[row * 4 + feature] }
            }
        }
        for (actual, wanted) in zip(sharedWeight.gradient.scalars, expected) {
            #expect(abs(actual - wanted) < 1e-5)
        }
    }

    @Test func loadingChecksNamesAndShapes() throws {
        let graph = try ModelZoo.graph(named: "mlp-784-100-10")
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        var tensors = network.namedTensors
        tensors["fc2.bias"] = Tensor(zeros: [11])
        #expect(throws: ParameterLoadingError.shapeMismatch(name: "fc2.bias", expected: [10], received: [11])) {
            try network.loadParameters(tensors)
        }
        tensors["fc2.bias"] = nil
        #expect(throws: ParameterLoadingError.missingTensors(["fc2.bias"])) { try network.loadParameters(tensors) }
    }
}

@Suite struct ExistingOperatorGradientTests {
    @Test func linear() throws {
        try GraphGradientChecking.check(LinearOperator(inputFeatures: 5, outputFeatures: 3), inputShapes: [[2, 5]])
    }

    @Test func convolution() throws {
        try GraphGradientChecking.check(
            Convolution2DOperator(inputChannels: 2, outputChannels: 3, window: WindowGeometry(square: 3, stride: 2, padding: 1)),
            inputShapes: [[2, 2, 5, 5]])
    }

    @Test func batchNormalization() throws {
        try GraphGradientChecking.check(BatchNormalizationOperator(channels: 3), inputShapes: [[2, 3, 2, 2]], epsilon: 1e-3)
    }

    @Test func poolingReLUFlatten() throws {
        try GraphGradientChecking.check(AveragePool2DOperator(window: WindowGeometry(square: 2, stride: 2)), inputShapes: [[2, 2, 4, 4]])
        try GraphGradientChecking.check(MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), inputShapes: [[2, 2, 4, 4]],
                                        epsilon: 1e-3)
        try GraphGradientChecking.check(ReLUOperator(), inputShapes: [[3, 4]], epsilon: 1e-3)
        try GraphGradientChecking.check(FlattenOperator(), inputShapes: [[2, 2, 3]])
    }
}
