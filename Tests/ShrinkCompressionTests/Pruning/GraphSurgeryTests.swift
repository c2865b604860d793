import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

@Suite struct GraphSurgeryTests {
    typealias Support = GraphSurgeryTestSupport

    /// Prunes `graph` with `kept`, checks that the result validates, and compares the pruned
    /// network's output with the original network's output after zeroing the removed channels.
    /// Returns the surgery's result and the largest output difference.
    static func pruneAndCompare(
        _ graph: Graph, kept: [ChannelGroupID: [Int]], inputShape: [Int], seed: UInt64
    ) throws -> (graph: Graph, selections: [String: WeightSlicing], difference: Float) {
        let resolved = try Support.resolve(graph)
        let groups = Dictionary(uniqueKeysWithValues: ChannelGroups.find(in: resolved).map { ($0.id, $0) })
        let network = try Support.network(graph, seed: seed)
        for (id, channels) in kept {
            let removed = (0..<groups[id]!.channelCount).filter { !channels.contains($0) }
            Support.zero(channels: removed, of: groups[id]!, in: network)
        }
        let inputs = Support.inputs(shape: inputShape, seed: seed + 1)
        let expected = network.forward(inputs, mode: .inference)

        let result = try GraphSurgery.removeChannels(keptChannels: kept, in: resolved)
        _ = try Support.resolve(result.graph)
        let pruned = try Support.prunedNetwork(result.graph, from: network, selections: result.selections)
        let output = pruned.forward(inputs, mode: .inference)
        return (result.graph, result.selections, Support.maximumDifference(output, expected))
    }

    // MARK: Chains

    /// conv → BatchNorm → ReLU → flatten → Linear → ReLU → Linear on `[1, 6, 6]`.
    static var normalizedChain: Graph {
        var builder = GraphBuilder(name: "bn-chain", inputShape: [1, 6, 6])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 3, window: WindowGeometry(square: 3), hasBias: false),
                            builder.input)
        x = builder.add("bn1", BatchNormalizationOperator(channels: 3), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("fc1", LinearOperator(inputFeatures: 48, outputFeatures: 4), x)
        x = builder.add("relu2", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 4, outputFeatures: 2), x)
        return builder.finish()
    }

    /// On chains, one group per weight node; pruning keeps exactly the listed output channels
    /// of each producer and the matching inputs of the next weight node. (On the branch that
    /// introduced graph surgery these results were also checked equal, node for node and value
    /// for value, to the chain-only surgery it replaced.)
    @Test(arguments: [
        (PruningTestSupport.convolutional, ["conv1": [1, 3], "conv2": [0, 2]]),
        (normalizedChain, ["conv1": [0, 2], "fc1": [1, 2, 3]]),
    ])
    func chainsPruneOneGroupPerWeightNode(graph: Graph, keptOutputs: [String: [Int]]) throws {
        let resolved = try Support.resolve(graph)
        let groups = ChannelGroups.find(in: resolved)
        let weightNodes = graph.nodes.filter { $0.operatorType == "Linear" || $0.operatorType == "Conv2D" }.map(\.name)
        // One group per graph input and per weight node; only the hidden ones are prunable.
        #expect(groups.map(\.id) == [ChannelGroupID("input")] + weightNodes.map { ChannelGroupID($0) })
        #expect(groups.filter(\.isPrunable).map(\.id.value) == Array(weightNodes.dropLast()))
        #expect(groups.first?.obstacles == [.graphInput(value: "input")])
        #expect(groups.last?.obstacles == [.graphOutput(value: weightNodes.last!)])

        let kept = Dictionary(uniqueKeysWithValues: keptOutputs.map { (ChannelGroupID($0.key), $0.value) })
        let (pruned, selections) = try GraphSurgery.removeChannels(keptChannels: kept, in: resolved)
        let prunedResolved = try Support.resolve(pruned)
        for (node, channels) in keptOutputs {
            let index = try #require(pruned.nodes.firstIndex { $0.name == node })
            #expect(prunedResolved.shapes[node]?.dimensions[1] == .fixed(channels.count), "\(node)")
            #expect(selections["\(node).weight"]?.keptIndices[0] == channels, "\(node)")
            #expect(prunedResolved.operators[index].weights[0].shape[0] == channels.count)
        }
        // The node after each pruned producer reads only the kept channels.
        #expect(selections["conv2.weight"]?.keptIndices[1] ?? selections["bn1.weight"]?.keptIndices[0] == keptOutputs["conv1"])
        #expect(pruned.nodes.map(\.name) == graph.nodes.map(\.name))
    }

    @Test func convolutionChainThroughFlattenComputesTheSameOutputs() throws {
        let result = try Self.pruneAndCompare(
            PruningTestSupport.convolutional, kept: ["conv1": [1, 3], "conv2": [0, 2]], inputShape: [3, 1, 8, 8], seed: 31)
        #expect(result.difference == 0)
        // fc reads conv2's channels 0 and 2 flattened over 2 × 2: features 0...3 and 8...11.
        #expect(result.selections["fc.weight"]?.keptIndices == [1: [0, 1, 2, 3, 8, 9, 10, 11]])
        #expect(result.selections["conv2.weight"]?.keptIndices == [0: [0, 2], 1: [1, 3]])
    }

    // MARK: Residual Add

    /// conv0 → ReLU → conv1; Add(ReLU output, conv1) → ReLU → flatten → fc on `[1, 6, 6]`.
    static var residualGraph: Graph {
        var builder = GraphBuilder(name: "residual", inputShape: [1, 6, 6])
        let conv0 = builder.add("conv0", Support.convolution(1, 4, kernel: 3, padding: 1), builder.input)
        let relu0 = builder.add("relu0", ReLUOperator(), conv0)
        let conv1 = builder.add("conv1", Support.convolution(4, 4, kernel: 3, padding: 1), relu0)
        let sum = builder.add("add", TestAddOperator(), relu0, conv1)
        let relu1 = builder.add("relu1", ReLUOperator(), sum)
        let flat = builder.add("flatten", FlattenOperator(), relu1)
        builder.add("fc", LinearOperator(inputFeatures: 144, outputFeatures: 3), flat)
        return builder.finish()
    }

    @Test func residualAddTiesBothConvolutions() throws {
        let resolved = try Support.resolve(Self.residualGraph)
        let groups = ChannelGroups.find(in: resolved)
        #expect(groups.map(\.id.value) == ["input", "conv0", "fc"])
        let tied = groups[1]
        #expect(tied.isPrunable && tied.channelCount == 4)
        #expect(tied.producers.map(\.node) == ["conv0", "conv1"])
        #expect(tied.slices.map { "\($0.weightName)@\($0.axis)" } == [
            "conv0.weight@0", "conv0.bias@0", "conv1.weight@1", "conv1.weight@0", "conv1.bias@0", "fc.weight@1",
        ])
        #expect(tied.slices.last?.positionsPerChannel == 36)
        #expect(tied.appearances.map(\.value) == ["conv0", "relu0", "conv1", "add", "relu1", "flatten"])

        let result = try Self.pruneAndCompare(Self.residualGraph, kept: ["conv0": [0, 2]], inputShape: [2, 1, 6, 6], seed: 41)
        #expect(result.difference == 0)
        let pruned = try Support.resolve(result.graph)
        #expect(pruned.weights.map(\.declaration.shape) == [[2, 1, 3, 3], [2], [2, 2, 3, 3], [2], [3, 72], [3]])
        #expect(result.selections["conv1.weight"]?.keptIndices == [0: [0, 2], 1: [0, 2]])
        #expect(result.selections["conv0.bias"]?.keptIndices == [0: [0, 2]])
        #expect(result.selections["fc.weight"]?.keptIndices == [1: Array(0..<36) + Array(72..<108)])
    }

    @Test func importanceSumsTheNormsOfTiedProducers() throws {
        let resolved = try Support.resolve(Self.residualGraph)
        let group = ChannelGroups.find(in: resolved)[1]
        let network = try Support.network(Self.residualGraph, seed: 3)
        let conv0 = network.parameter(named: "conv0.weight")!.value
        let conv1 = network.parameter(named: "conv1.weight")!.value
        let l1 = try ChannelImportance.scores(of: group, weights: network.namedTensors)
        let expectedL1 = zip(StructuredPruner.unitNorms(of: conv0), StructuredPruner.unitNorms(of: conv1)).map { $0 + $1 }
        #expect(l1 == expectedL1)

        func l2Norms(_ tensor: Tensor) -> [Double] {
            let size = tensor.count / tensor.shape[0]
            return (0..<tensor.shape[0]).map { unit in
                tensor.scalars[(unit * size)..<((unit + 1) * size)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            }
        }
        let l2 = try ChannelImportance.scores(of: group, weights: network.namedTensors, norm: .l2)
        for (score, expected) in zip(l2, zip(l2Norms(conv0), l2Norms(conv1)).map({ $0 + $1 })) {
            #expect(abs(score - expected) < 1e-9)
        }
        #expect(throws: PruningError.missingWeight("conv1.weight")) {
            try ChannelImportance.scores(of: group, weights: ["conv0.weight": conv0])
        }
        #expect(ChannelImportance.keptChannels(scores: [3, 1, 2, 1], removing: 2) == [0, 2])
        #expect(ChannelImportance.keptChannels(scores: [3, 1], removing: 5) == [])
    }

    // MARK: Concatenation

    /// Two branches (3 and 2 channels) concatenated → BatchNorm → ReLU → conv → flatten → fc.
    static var concatenationGraph: Graph {
        var builder = GraphBuilder(name: "branches", inputShape: [1, 5, 5])
        let left = builder.add("left", Support.convolution(1, 3, kernel: 2), builder.input)
        let right = builder.add("right", Support.convolution(1, 2, kernel: 2), builder.input)
        let joined = builder.add("concat", TestConcatOperator(), left, right)
        let normalized = builder.add("bn", BatchNormalizationOperator(channels: 5), joined)
        let relu = builder.add("relu", ReLUOperator(), normalized)
        let mixed = builder.add("mix", Support.convolution(5, 2, kernel: 3), relu)
        let flat = builder.add("flatten", FlattenOperator(), mixed)
        builder.add("fc", LinearOperator(inputFeatures: 8, outputFeatures: 2), flat)
        return builder.finish()
    }

    @Test func concatenationKeepsEachBranchAtItsOffset() throws {
        let resolved = try Support.resolve(Self.concatenationGraph)
        let groups = ChannelGroups.find(in: resolved)
        #expect(groups.map(\.id.value) == ["input", "left", "right", "mix", "fc"])
        #expect(groups.map(\.isPrunable) == [false, true, true, true, false])
        let right = groups[2]
        #expect(right.slices.filter { $0.node == "bn" }.map(\.offset) == [3, 3, 3, 3])
        #expect(right.slices.first { $0.node == "mix" } == ChannelWeightSlice(
            node: "mix", weight: "weight", axis: 1, offset: 3, role: .consumerInput, weightRole: .matrix))
        #expect(right.appearances.map(\.offset) == [0, 3, 3, 3])

        let result = try Self.pruneAndCompare(
            Self.concatenationGraph, kept: ["left": [0, 2], "right": [1]], inputShape: [2, 1, 5, 5], seed: 51)
        // BatchNorm's normalization is not exact in binary: allow rounding differences only.
        #expect(result.difference < 1e-5)
        for statistic in ["weight", "bias", "running_mean", "running_var"] {
            #expect(result.selections["bn.\(statistic)"]?.keptIndices == [0: [0, 2, 4]])
        }
        #expect(result.selections["mix.weight"]?.keptIndices == [1: [0, 2, 4]])
        #expect(result.graph.node(named: "bn")?.attributes["channels"] == .int(3))
        #expect(result.graph.node(named: "mix")?.attributes["input_channels"] == .int(3))
        #expect(result.selections["fc.weight"] == nil)
    }

    @Test func flattenedConcatenationSelectsLinearColumns() throws {
        var builder = GraphBuilder(name: "flat-branches", inputShape: [1, 4, 4])
        let left = builder.add("left", Support.convolution(1, 3, kernel: 3), builder.input)
        let right = builder.add("right", Support.convolution(1, 2, kernel: 3), builder.input)
        let joined = builder.add("concat", TestConcatOperator(), left, right)
        let flat = builder.add("flatten", FlattenOperator(), joined)
        builder.add("fc", LinearOperator(inputFeatures: 20, outputFeatures: 2), flat)
        let graph = builder.finish()

        let groups = ChannelGroups.find(in: try Support.resolve(graph))
        #expect(groups[2].slices.last == ChannelWeightSlice(
            node: "fc", weight: "weight", axis: 1, offset: 12, positionsPerChannel: 4, role: .consumerInput, weightRole: .matrix))
        let result = try Self.pruneAndCompare(graph, kept: ["left": [0, 2], "right": [1]], inputShape: [3, 1, 4, 4], seed: 61)
        #expect(result.difference == 0)
        #expect(result.selections["fc.weight"]?.keptIndices == [1: Array(0..<4) + Array(8..<12) + Array(16..<20)])
        #expect(result.selections["fc.weight"]?.slicedShape == [2, 12])
    }

    // MARK: Depthwise convolution

    @Test func depthwiseConvolutionPassesChannelsThrough() throws {
        var builder = GraphBuilder(name: "depthwise", inputShape: [2, 5, 5])
        let expand = builder.add("expand", Support.convolution(2, 4, kernel: 1), builder.input)
        let depthwise = builder.add("depthwise", TestDepthwiseConvolutionOperator(channels: 4, kernel: 2), expand)
        let relu = builder.add("relu", ReLUOperator(), depthwise)
        let project = builder.add("project", Support.convolution(4, 2, kernel: 1), relu)
        let flat = builder.add("flatten", FlattenOperator(), project)
        builder.add("fc", LinearOperator(inputFeatures: 32, outputFeatures: 2), flat)
        let graph = builder.finish()

        let group = ChannelGroups.find(in: try Support.resolve(graph))[1]
        #expect(group.id == "expand" && group.producers.map(\.node) == ["expand"])
        #expect(group.slices.filter { $0.role == .perChannel }.map(\.weightName) == ["depthwise.weight", "depthwise.bias"])
        let result = try Self.pruneAndCompare(graph, kept: ["expand": [1, 2]], inputShape: [2, 2, 5, 5], seed: 71)
        #expect(result.difference == 0)
        #expect(result.graph.node(named: "depthwise")?.attributes["channels"] == .int(2))
        #expect(result.selections["depthwise.weight"]?.slicedShape == [2, 1, 2, 2])
        #expect(result.selections["project.weight"]?.keptIndices == [1: [1, 2]])
    }

    // MARK: Not prunable

    @Test func channelsReachingAGraphOutputAreNotPrunable() throws {
        var builder = GraphBuilder(name: "two-outputs", inputShape: [1, 6, 6])
        let conv1 = builder.add("conv1", Support.convolution(1, 3, kernel: 3), builder.input)
        let relu = builder.add("relu", ReLUOperator(), conv1)
        let conv2 = builder.add("conv2", Support.convolution(3, 2, kernel: 3), relu)
        let flat = builder.add("flatten", FlattenOperator(), conv2)
        let logits = builder.add("fc", LinearOperator(inputFeatures: 8, outputFeatures: 2), flat)
        let graph = builder.finish(outputs: [logits, conv2])
        let resolved = try Support.resolve(graph)
        let groups = Dictionary(uniqueKeysWithValues: ChannelGroups.find(in: resolved).map { ($0.id, $0) })
        #expect(groups["conv2"]?.obstacles == [.graphOutput(value: "conv2")])
        #expect(groups["conv2"]?.reason == "channels reach graph output 'conv2'")
        #expect(groups["conv1"]?.isPrunable == true)
        #expect(throws: PruningError.channelGroupNotPrunable(group: "conv2", reason: "channels reach graph output 'conv2'")) {
            try GraphSurgery.removeChannels(keptChannels: ["conv2": [0]], in: resolved)
        }
        // Keeping every channel of a blocked group is no change; its neighbours still prune.
        let result = try Self.pruneAndCompare(graph, kept: ["conv2": [0, 1], "conv1": [2]], inputShape: [2, 1, 6, 6], seed: 81)
        #expect(result.difference == 0)
        #expect(Set(result.selections.keys) == ["conv1.weight", "conv1.bias", "conv2.weight"])
    }

    @Test func opaqueReaderBlocksItsChannels() throws {
        var builder = GraphBuilder(name: "opaque", inputShape: [1, 4, 4])
        let conv = builder.add("conv", Support.convolution(1, 3, kernel: 3), builder.input)
        let reversed = builder.add("reverse", TestChannelReversalOperator(), conv)
        let flat = builder.add("flatten", FlattenOperator(), reversed)
        builder.add("fc", LinearOperator(inputFeatures: 12, outputFeatures: 2), flat)
        let resolved = try Support.resolve(builder.finish())
        let groups = ChannelGroups.find(in: resolved)
        #expect(groups.map(\.id.value) == ["input", "conv", "reverse", "fc"])
        let opaque = ChannelGroupObstacle.opaqueNode(node: "reverse", operatorType: "TestChannelReversal")
        #expect(groups[1].obstacles == [opaque] && !groups[1].isPrunable)
        #expect(groups[2].obstacles == [opaque] && groups[2].producers.isEmpty)
        #expect(throws: PruningError.channelGroupNotPrunable(
            group: "conv", reason: "channels pass through node 'reverse' (TestChannelReversal), whose channels cannot change")) {
            try GraphSurgery.removeChannels(keptChannels: ["conv": [0, 1]], in: resolved)
        }
    }

    @Test func addingMisalignedChannelsBlocksEveryInput() throws {
        var builder = GraphBuilder(name: "misaligned", inputShape: [1, 4, 4])
        let left = builder.add("left", Support.convolution(1, 2, kernel: 3), builder.input)
        let right = builder.add("right", Support.convolution(1, 2, kernel: 3), builder.input)
        let joined = builder.add("concat", TestConcatOperator(), left, right)
        let whole = builder.add("whole", Support.convolution(1, 4, kernel: 3), builder.input)
        let sum = builder.add("add", TestAddOperator(), joined, whole)
        let flat = builder.add("flatten", FlattenOperator(), sum)
        builder.add("fc", LinearOperator(inputFeatures: 16, outputFeatures: 2), flat)
        let groups = ChannelGroups.find(in: try Support.resolve(builder.finish()))
        #expect(groups.map(\.id.value) == ["input", "left", "right", "whole", "add", "fc"])
        for group in groups[1...4] {
            #expect(group.obstacles.contains(.misalignedChannels(node: "add")), "\(group.id)")
        }
    }

    // MARK: Plans and slicing

    @Test func invalidPlansAreRejected() throws {
        let resolved = try Support.resolve(Self.residualGraph)
        #expect(throws: PruningError.unknownChannelGroup(group: "conv1")) {
            try GraphSurgery.removeChannels(keptChannels: ["conv1": [0]], in: resolved)
        }
        #expect(throws: PruningError.removesAllChannels(group: "conv0", channels: 4)) {
            try GraphSurgery.removeChannels(keptChannels: ["conv0": []], in: resolved)
        }
        #expect(throws: PruningError.invalidKeptChannels(group: "conv0", reason: "channel 4 is not in 0..<4")) {
            try GraphSurgery.removeChannels(keptChannels: ["conv0": [1, 4]], in: resolved)
        }
        #expect(throws: PruningError.invalidKeptChannels(group: "conv0", reason: "[2, 1] is not ascending without repeats")) {
            try GraphSurgery.removeChannels(keptChannels: ["conv0": [2, 1]], in: resolved)
        }
        let unchanged = try GraphSurgery.removeChannels(keptChannels: ["conv0": [0, 1, 2, 3]], in: resolved)
        #expect(unchanged.graph == resolved.graph && unchanged.selections.isEmpty)
    }

    @Test(arguments: [true, false])
    func opsThatDoNotResizeAreCaught(checksInput: Bool) throws {
        var builder = GraphBuilder(name: "stale", inputShape: [1, 4, 4])
        let conv = builder.add("conv", Support.convolution(1, 4, kernel: 3), builder.input)
        let scaled = builder.add("scale", TestStaleScaleOperator(channels: 4, checksInput: checksInput), conv)
        let flat = builder.add("flatten", FlattenOperator(), scaled)
        builder.add("fc", LinearOperator(inputFeatures: 16, outputFeatures: 2), flat)
        let resolved = try Support.resolve(builder.finish())
        let expected: PruningError = checksInput
            ? .prunedGraphInvalid(reason: "Node 'scale' (TestStaleScale): expects 4 channels (input shapes [batch, 2, 2, 2])")
            : .prunedWeightShapeMismatch(weight: "scale.scale", declared: [4], sliced: [2])
        #expect(throws: expected) {
            try GraphSurgery.removeChannels(keptChannels: ["conv": [0, 3]], in: resolved)
        }
    }

    @Test func weightSlicingKeepsIndicesOnAnyAxes() {
        let tensor = Tensor(shape: [3, 2, 4], scalars: (0..<24).map(Float.init))
        let slicing = WeightSlicing(originalShape: [3, 2, 4], keptIndices: [0: [0, 2], 2: [1, 3]])
        #expect(slicing.slicedShape == [2, 2, 2])
        #expect(slicing.apply(to: tensor) == Tensor(shape: [2, 2, 2], scalars: [1, 3, 5, 7, 17, 19, 21, 23]))
        let rowsAndColumns = WeightSlicing(originalShape: [3, 2, 4], keptIndices: [0: [1], 1: [1]])
        #expect(rowsAndColumns.apply(to: tensor) == Tensor(shape: [1, 1, 4], scalars: [12, 13, 14, 15]))
        #expect(WeightSlicing(originalShape: [3, 2, 4], keptIndices: [:]).apply(to: tensor) == tensor)
    }
}
