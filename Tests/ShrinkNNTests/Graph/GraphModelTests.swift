import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Whole models as graphs: the zoo's networks, validation errors, loading.
@Suite struct GraphModelTests {
    /// A small convolutional chain using every original layer type but dropout.
    static var smallGraph: Graph {
        var builder = GraphBuilder(name: "small", inputShape: [2, 7, 6])
        // No bias before batch normalization: the mean subtraction cancels it (its gradient is 0).
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 2, outputChannels: 3, window: WindowGeometry(square: 3, padding: 1),
                                                           hasBias: false), builder.input)
        x = builder.add("bn1", BatchNormalizationOperator(channels: 3), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("conv2", Convolution2DOperator(inputChannels: 3, outputChannels: 4, window: WindowGeometry(square: 2, stride: 2, padding: 1)), x)
        x = builder.add("pool2", AveragePool2DOperator(window: WindowGeometry(square: 2, stride: 1)), x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("fc1", LinearOperator(inputFeatures: 4, outputFeatures: 5), x)
        x = builder.add("relu2", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 5, outputFeatures: 3), x)
        return builder.finish()
    }

    @Test func wholeModelGradientCheck() throws {
        try GraphGradientChecking.check(graph: Self.smallGraph, inputShapes: [[3, 2, 7, 6]], seed: 41, epsilon: 1e-3, tolerance: 2e-2)
    }

    @Test func lenet5ShapesCountsAndNames() throws {
        var generator = SeededRandomNumberGenerator(seed: 42)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: "lenet-5"), generator: &generator)
        #expect(model.graph.nodes.map(\.name) == ["conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "relu1", "fc2"])
        #expect(model.parameters.map(\.name) == [
            "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
            "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
        ])
        #expect(model.parameter(named: "conv2.weight")?.value.shape == [50, 20, 5, 5])
        #expect(model.parameter(named: "fc1.weight")?.value.shape == [500, 800])
        #expect(model.parameter(named: "fc9.weight") == nil)
        #expect(model.trainableParameterCount == 431_080)
        #expect(model.sampleOutputShape == [10])
        #expect(model.parameters.allSatisfy { !$0.hasGradientStorage })
        let input = Tensor.randomUniform(shape: [2, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
        let output = model.forward(input, mode: .training)
        #expect(output.shape == [2, 10])
        let inputGradient = model.backward(Tensor(repeating: 1, shape: [2, 10]))
        #expect(inputGradient.shape == [2, 1, 28, 28])
        #expect(model.parameter(named: "conv1.weight")!.gradient.scalars.contains { $0 != 0 })
        model.zeroGradients()
        #expect(model.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
    }

    /// 32×32 images flatten to 50·5·5 = 1250 features, which fc1 (800 inputs) cannot take.
    @Test func lenet5RejectsALargerInput() throws {
        var graph = try ModelZoo.graph(named: "lenet-5")
        graph.inputs[0].shape = .batched([1, 32, 32])
        #expect(throws: GraphError.invalidNode(node: "fc1", type: "Linear", reason: "expects [batch, 800] (input shapes [batch, 1250])")) {
            try ResolvedGraph(graph, registry: .standard)
        }
    }

    @Test func skippingTheInputGradientKeepsParameterGradients() throws {
        var generator = SeededRandomNumberGenerator(seed: 49)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: "lenet-5"), generator: &generator)
        let input = Tensor.randomUniform(shape: [3, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [3, 10], using: &generator)
        _ = model.forward(input, mode: .training)
        let inputGradient = model.backward(outputGradient)
        let full = model.parameters.map(\.gradient)
        model.zeroGradients()
        _ = model.forward(input, mode: .training)
        #expect(model.backward(outputGradient, needsInputGradient: false) == nil)
        #expect(model.parameters.map(\.gradient) == full)
        #expect(inputGradient.scalars.contains { $0 != 0 })
    }

    @Test func lenet300100ShapesCountsAndNames() throws {
        var generator = SeededRandomNumberGenerator(seed: 43)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: "lenet-300-100"), generator: &generator)
        #expect(model.graph.nodes.map(\.name) == ["flatten", "fc1", "relu1", "fc2", "relu2", "fc3"])
        #expect(model.parameters.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
        #expect(model.trainableParameterCount == 266_610)
        // A flat [batch, 784] input is accepted and reshaped.
        let output = model.forward(Tensor(zeros: [3, 784]), mode: .inference)
        #expect(output.shape == [3, 10])
    }

    @Test func residualZooModelIsADAG() throws {
        var generator = SeededRandomNumberGenerator(seed: 50)
        let model = try GraphNetwork(graph: ModelZoo.graph(named: "resnet-mini"), generator: &generator)
        #expect(model.trainableParameterCount == 7_922)
        let types = Set(model.graph.nodes.map(\.operatorType))
        #expect(types.isSuperset(of: ["Add", "Concat", "BatchNormalization", "GlobalAveragePool", "ReLU6", "Conv2D"]))
        #expect(model.graph.consumers["stem_relu"]?.count == 2) // the residual fan-out
        let input = Tensor.randomUniform(shape: [2, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
        #expect(model.forward(input, mode: .inference).shape == [2, 10])
    }

    @Test func sameSeedSameModel() throws {
        var first = SeededRandomNumberGenerator(seed: 44)
        var second = SeededRandomNumberGenerator(seed: 44)
        let graph = try ModelZoo.graph(named: "lenet-5")
        let a = try GraphNetwork(graph: graph, generator: &first)
        let b = try GraphNetwork(graph: graph, generator: &second)
        #expect(a.namedTensors == b.namedTensors)
    }

    @Test func unknownZooModelListsNames() {
        #expect(throws: ModelZooError.unknownModel(name: "vgg", available: ModelZoo.names)) {
            try ModelZoo.graph(named: "vgg")
        }
        #expect(ModelZooError.unknownModel(name: "vgg", available: ModelZoo.names).description.contains("lenet-5"))
    }

    @Test func invalidNodesAreReportedByName() throws {
        var builder = GraphBuilder(name: "m", inputShape: [1, 4, 4])
        builder.add("c", Convolution2DOperator(inputChannels: 2, outputChannels: 1, window: WindowGeometry(square: 3)), builder.input)
        #expect(throws: GraphError.invalidNode(node: "c", type: "Conv2D", reason: "expects [batch, 2, height, width] (input shapes [batch, 1, 4, 4])")) {
            try ResolvedGraph(builder.finish(), registry: .standard)
        }
        var pool = GraphBuilder(name: "m", inputShape: [1, 4, 4])
        pool.add("p", MaxPool2DOperator(window: WindowGeometry(square: 5)), pool.input)
        #expect(throws: GraphError.self) { try ResolvedGraph(pool.finish(), registry: .standard) }
        var dropout = GraphBuilder(name: "m", inputShape: [4])
        dropout.add("d", DropoutOperator(rate: 1), dropout.input)
        #expect(throws: GraphError.invalidNode(node: "d", type: "Dropout", reason: "dropout rate must be in [0, 1), got 1.0")) {
            try ResolvedGraph(dropout.finish(), registry: .standard)
        }
        var batchNorm = GraphBuilder(name: "m", inputShape: [2, 3])
        batchNorm.add("bn", BatchNormalizationOperator(channels: 5), batchNorm.input)
        #expect(throws: GraphError.self) { try ResolvedGraph(batchNorm.finish(), registry: .standard) }
        var zeroInput = GraphBuilder(name: "m", inputShape: [0, 3])
        zeroInput.add("r", ReLUOperator(), zeroInput.input)
        #expect(throws: GraphError.self) { try ResolvedGraph(zeroInput.finish(), registry: .standard) }
    }

    @Test func loadParametersRoundTripAndErrors() throws {
        var generator = SeededRandomNumberGenerator(seed: 48)
        let graph = Self.smallGraph
        let source = try GraphNetwork(graph: graph, generator: &generator)
        source.parameter(named: "bn1.running_mean")!.value = Tensor(shape: [3], scalars: [1, 2, 3])
        let target = try GraphNetwork(graph: graph, generator: &generator)
        #expect(target.namedTensors != source.namedTensors)
        try target.loadParameters(source.namedTensors)
        #expect(target.namedTensors == source.namedTensors)

        let untouched = try GraphNetwork(graph: graph, generator: &generator)
        let before = untouched.namedTensors
        var missing = source.namedTensors
        missing["fc2.bias"] = nil
        missing["bn1.running_var"] = nil
        #expect(throws: ParameterLoadingError.missingTensors(["bn1.running_var", "fc2.bias"])) {
            try untouched.loadParameters(missing)
        }
        var extra = source.namedTensors
        extra["fc3.weight"] = Tensor(zeros: [1])
        #expect(throws: ParameterLoadingError.unexpectedTensors(["fc3.weight"])) { try untouched.loadParameters(extra) }
        var wrongShape = source.namedTensors
        wrongShape["fc1.weight"] = Tensor(zeros: [4, 5])
        #expect(throws: ParameterLoadingError.shapeMismatch(name: "fc1.weight", expected: [5, 4], received: [4, 5])) {
            try untouched.loadParameters(wrongShape)
        }
        #expect(untouched.namedTensors == before)
    }
}
