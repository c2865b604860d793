import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct StructuredPruningTests {
    /// Zeroes the weights and the bias of output units `units` of layer `layer`.
    static func zeroUnits(_ units: [Int], of layer: String, in network: GraphNetwork) {
        for suffix in ["weight", "bias"] {
            let parameter = network.parameter(named: "\(layer).\(suffix)")!
            let size = parameter.value.count / parameter.value.shape[0]
            for unit in units {
                for index in unit * size..<(unit + 1) * size { parameter.value.scalars[index] = 0 }
            }
        }
    }

    @Test func unitNormsAreRowL1Norms() {
        let weight = Tensor(shape: [2, 1, 2, 2], scalars: [1, -2, 3, -4, 0.5, 0.5, -0.5, 0])
        #expect(StructuredPruner.unitNorms(of: weight) == [10, 1.5])
    }

    @Test func linearToLinearShrinksAndComputesTheSameOutputs() throws {
        let network = PruningTestSupport.network(PruningTestSupport.multilayerPerceptron)
        PruningTestSupport.setDyadicValues(network, seed: 11)
        Self.zeroUnits([1, 3], of: "fc1", in: network)
        Self.zeroUnits([2], of: "fc2", in: network)
        let inputs = PruningTestSupport.dyadicInputs(shape: [5, 6], seed: 12)
        let expected = network.forward(inputs, mode: .inference)

        let model = CompressedModel(network: network)
        // fc2.weight carries a mask from earlier magnitude pruning: it must follow the slicing.
        let mask = Tensor(shape: [3, 4], scalars: [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1])
        model.parameterStates["fc2.weight"] = ParameterCompressionState(mask: mask)
        let pruner = try StructuredPruner(configuration: StructuredPruningConfiguration(
            layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc1", setting: 0.5), .init(pattern: "fc*", setting: 1.0 / 3)])))
        try pruner.prepare(model: model)
        #expect(pruner.plans.map(\.kept) == [[0, 2], [0, 1]])
        #expect(Array(pruner.protectedLayers.keys) == ["fc3"])
        try pruner.finalize()

        let pruned = model.network
        #expect(pruned !== network)
        #expect(pruned.graph.nodes.map(\.attributes) == [
            LinearOperator(inputFeatures: 6, outputFeatures: 2).attributes, ReLUOperator().attributes,
            LinearOperator(inputFeatures: 2, outputFeatures: 2).attributes, ReLUOperator().attributes,
            LinearOperator(inputFeatures: 2, outputFeatures: 2).attributes,
        ])
        #expect(pruned.forward(inputs, mode: .inference) == expected)
        // Surviving values copied: fc2 rows 0, 1 and columns 0, 2.
        let oldFC2 = network.parameter(named: "fc2.weight")!.value
        #expect(pruned.parameter(named: "fc2.weight")!.value.scalars == [oldFC2[0, 0], oldFC2[0, 2], oldFC2[1, 0], oldFC2[1, 2]])
        #expect(model.parameterStates["fc2.weight"]?.mask?.scalars == [1, 1, 0, 1])
        #expect(model.parameterStates["fc2.weight"]?.mask?.shape == [2, 2])
        let notes = pruner.report().map { $0.note ?? "" }
        #expect(notes.count == 3)
        #expect(notes[0] == "kept 2 of 4 units" && notes[1] == "kept 2 of 3 units, inputs 4 → 2")
        #expect(notes[2].hasPrefix("outputs kept: ") && notes[2].hasSuffix(", inputs 3 → 2"))
    }

    @Test func convolutionThroughPoolingAndFlattenShrinksAndComputesTheSameOutputs() throws {
        let network = PruningTestSupport.network(PruningTestSupport.convolutional)
        PruningTestSupport.setDyadicValues(network, seed: 21)
        Self.zeroUnits([0, 2], of: "conv1", in: network)
        Self.zeroUnits([1], of: "conv2", in: network)
        let inputs = PruningTestSupport.dyadicInputs(shape: [3, 1, 8, 8], seed: 22)
        let expected = network.forward(inputs, mode: .inference)

        let model = CompressedModel(network: network)
        let pruner = try StructuredPruner(configuration: StructuredPruningConfiguration(
            layers: PerLayerSettings(default: nil, layerTypes: [.init(type: "conv2d", setting: 0.4)])))
        try pruner.prepare(model: model)
        // conv1: round(0.4 · 4) = 2 filters go; conv2: round(0.4 · 3) = 1.
        #expect(pruner.plans.map(\.kept) == [[1, 3], [0, 2]])
        try pruner.finalize()
        let pruned = model.network
        #expect(pruned.graph.nodes.map(\.attributes) == [
            Convolution2DOperator(inputChannels: 1, outputChannels: 2, window: WindowGeometry(square: 3)).attributes,
            MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)).attributes,
            Convolution2DOperator(inputChannels: 2, outputChannels: 2, window: WindowGeometry(square: 2)).attributes,
            ReLUOperator().attributes, FlattenOperator().attributes,
            LinearOperator(inputFeatures: 8, outputFeatures: 2).attributes, // 2 channels × 2 × 2
        ])
        #expect(pruned.forward(inputs, mode: .inference) == expected)
        // The Linear kept the flattened features of conv2's channels 0 and 2: columns 0...3, 8...11.
        let oldFC = network.parameter(named: "fc.weight")!.value
        let newFC = pruned.parameter(named: "fc.weight")!.value
        #expect(newFC[1, 4] == oldFC[1, 8] && newFC[0, 3] == oldFC[0, 3])
        // conv2's kernels: filter 2 (now 1), input channel 3 (now 1).
        let oldConv2 = network.parameter(named: "conv2.weight")!.value
        #expect(pruned.parameter(named: "conv2.weight")!.value[1, 1, 1, 0] == oldConv2[2, 3, 1, 0])
    }

    @Test func batchNormalizationChannelsFollowTheirConvolution() throws {
        var builder = GraphBuilder(name: "bn", inputShape: [1, 6, 6])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 3, window: WindowGeometry(square: 3), hasBias: false),
                            builder.input)
        x = builder.add("bn1", BatchNormalizationOperator(channels: 3), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        builder.add("fc", LinearOperator(inputFeatures: 48, outputFeatures: 2), x)
        let network = PruningTestSupport.network(builder.finish())
        network.parameter(named: "conv1.weight")!.value.scalars.replaceSubrange(9..<18, with: repeatElement(0, count: 9))
        network.parameter(named: "bn1.running_mean")!.value = Tensor(shape: [3], scalars: [0.1, 0.2, 0.3])
        let model = CompressedModel(network: network)
        let pruner = try StructuredPruner(configuration: StructuredPruningConfiguration(layers: PerLayerSettings(default: 0.3)))
        try pruner.prepare(model: model)
        try pruner.finalize()
        let pruned = model.network
        #expect(pruned.graph.nodes[1].attributes == BatchNormalizationOperator(channels: 2).attributes)
        #expect(pruned.parameter(named: "bn1.running_mean")!.value.scalars == [0.1, 0.3])
        #expect(pruned.parameter(named: "fc.weight")!.value.shape == [2, 32]) // 2 channels × 4 × 4
        #expect(pruned.forward(Tensor(zeros: [2, 1, 6, 6]), mode: .inference).shape == [2, 2])
    }

    @Test func stepFineTunesTheSmallerNetwork() throws {
        let model = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        var epochs = 0
        let context = PruningTestSupport.context(epochs: 1) { if case .fineTuningEpoch = $0 { epochs += 1 } }
        let step = try StructuredPruningStep(configuration: StructuredPruningConfiguration(
            layers: PerLayerSettings(default: 0.5)))
        let report = try step.apply(to: model, context: context)
        #expect(epochs == 1)
        // fc1 keeps 2 of 4 units, fc2 1 of 3 (round(1.5) = 2 go), fc3 keeps its 2 outputs.
        #expect(model.network.trainableParameterCount == (6 * 2 + 2) + (2 * 1 + 1) + (1 * 2 + 2))
        #expect(report.kind == "structured-pruning" && report.accuracyAfter != nil)
    }

    @Test func removingEveryUnitIsRejected() throws {
        let model = CompressedModel(network: PruningTestSupport.network(PruningTestSupport.multilayerPerceptron))
        // fc2 has 3 units: round(0.9 · 3) = 3.
        let pruner = try StructuredPruner(configuration: StructuredPruningConfiguration(
            layers: PerLayerSettings(default: nil, layers: [.init(pattern: "fc2", setting: 0.9)])))
        #expect(throws: PruningError.removesAllUnits(layer: "fc2", units: 3, removed: 3)) { try pruner.prepare(model: model) }
    }
}
