import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

/// Structured pruning through Add, Sub, Mul and Div: a constant that differs per channel is
/// sliced with the channels, one shared by every channel stays whole, and an operand broadcast
/// along the channel axis (an activation or a constant) blocks the channels instead of being
/// mis-pruned.
@Suite struct ArithmeticPruningTests {
    typealias Support = GraphSurgeryTestSupport

    /// conv0 (1 → 4) → Add a `[1, 1, 6]` row → Mul by a per-channel `[4, 1, 1]` constant →
    /// Sub from a per-channel `[1, 4, 1, 1]` constant (`c − x`) → ReLU → flatten → fc. (The
    /// row comes first so that a channel zeroed by `pruneAndCompare` stays zero.)
    static var constantsGraph: Graph {
        var builder = GraphBuilder(name: "constants", inputShape: [1, 6, 6])
        let conv0 = builder.add("conv0", Support.convolution(1, 4, kernel: 3, padding: 1), builder.input)
        let shifted = builder.add("shift", AdditionOperator(constant: ConstantOperand(shape: [1, 1, 6])), conv0)
        let scaled = builder.add("scale", MultiplicationOperator(constant: ConstantOperand(shape: [4, 1, 1])), shifted)
        let flipped = builder.add("flip", SubtractionOperator(constant: ConstantOperand(shape: [1, 4, 1, 1], isFirst: true)), scaled)
        let relu = builder.add("relu", ReLUOperator(), flipped)
        let flat = builder.add("flatten", FlattenOperator(), relu)
        builder.add("fc", LinearOperator(inputFeatures: 144, outputFeatures: 3), flat)
        return builder.finish()
    }

    @Test func perChannelConstantsAreSlicedWithTheChannels() throws {
        let resolved = try Support.resolve(Self.constantsGraph)
        let group = try #require(ChannelGroups.find(in: resolved).first { $0.id == "conv0" })
        #expect(group.isPrunable)
        #expect(group.slices.filter { $0.role == .perChannel }.map { "\($0.weightName)@\($0.axis)" }
                == ["scale.constant@0", "flip.constant@1"])

        let result = try GraphSurgeryTests.pruneAndCompare(Self.constantsGraph, kept: ["conv0": [0, 2, 3]],
                                                           inputShape: [2, 1, 6, 6], seed: 5)
        #expect(result.difference == 0)
        #expect(result.selections["scale.constant"]?.keptIndices == [0: [0, 2, 3]])
        #expect(result.selections["flip.constant"]?.keptIndices == [1: [0, 2, 3]])
        #expect(result.selections["shift.constant"] == nil)
        #expect(result.graph.node(named: "scale")?.attributes["constant_shape"] == .ints([3, 1, 1]))
        #expect(result.graph.node(named: "flip")?.attributes["constant_shape"] == .ints([1, 3, 1, 1]))
        #expect(result.graph.node(named: "flip")?.attributes["constant_first"] == .int(1))
        #expect(result.graph.node(named: "shift")?.attributes["constant_shape"] == .ints([1, 1, 6]))
    }

    /// conv0 (1 → 2) → flatten → Sub a `[72]` constant (one value per feature, 36 per
    /// channel) → fc.
    @Test func flattenedConstantsAreSlicedPerFeature() throws {
        var builder = GraphBuilder(name: "flat-constant", inputShape: [1, 6, 6])
        let conv0 = builder.add("conv0", Support.convolution(1, 2, kernel: 3, padding: 1), builder.input)
        let flat = builder.add("flatten", FlattenOperator(), conv0)
        let shifted = builder.add("shift", SubtractionOperator(constant: ConstantOperand(shape: [72])), flat)
        builder.add("fc", LinearOperator(inputFeatures: 72, outputFeatures: 2), shifted)
        let result = try GraphSurgeryTests.pruneAndCompare(builder.finish(), kept: ["conv0": [1]], inputShape: [2, 1, 6, 6], seed: 9)
        #expect(result.difference == 0)
        #expect(result.selections["shift.constant"]?.keptIndices == [0: Array(36..<72)])
        #expect(result.graph.node(named: "shift")?.attributes["constant_shape"] == .ints([36]))
    }

    /// A `[batch, 1, 6, 6]` map times a `[batch, 4, 6, 6]` one: the single channel is spread
    /// over four, so neither side's channels may go.
    @Test func operandsBroadcastAlongChannelsBlockPruning() throws {
        var builder = GraphBuilder(name: "mask", inputShape: [1, 6, 6])
        let mask = builder.add("mask", Support.convolution(1, 1, kernel: 3, padding: 1), builder.input)
        let features = builder.add("features", Support.convolution(1, 4, kernel: 3, padding: 1), builder.input)
        let product = builder.add("product", MultiplicationOperator(), features, mask)
        let flat = builder.add("flatten", FlattenOperator(), product)
        builder.add("fc", LinearOperator(inputFeatures: 144, outputFeatures: 2), flat)
        let resolved = try Support.resolve(builder.finish())
        let groups = Dictionary(uniqueKeysWithValues: ChannelGroups.find(in: resolved).map { ($0.id, $0) })
        for id: ChannelGroupID in ["mask", "features", "product"] {
            #expect(groups[id]?.obstacles.contains(.misalignedChannels(node: "product")) == true, "\(id)")
        }
        #expect(throws: PruningError.self) {
            try GraphSurgery.removeChannels(keptChannels: ["features": [0, 1]], in: resolved)
        }
    }

    /// A `[4, 1, 1]` constant times a one-channel map makes four channels of one: blocked.
    @Test func constantsSpreadingOneChannelBlockPruning() throws {
        var builder = GraphBuilder(name: "spread", inputShape: [1, 6, 6])
        let single = builder.add("single", Support.convolution(1, 1, kernel: 3, padding: 1), builder.input)
        let spread = builder.add("spread", MultiplicationOperator(constant: ConstantOperand(shape: [4, 1, 1])), single)
        let conv = builder.add("conv", Support.convolution(4, 3, kernel: 3, padding: 1), spread)
        let flat = builder.add("flatten", FlattenOperator(), conv)
        builder.add("fc", LinearOperator(inputFeatures: 108, outputFeatures: 2), flat)
        let resolved = try Support.resolve(builder.finish())
        let groups = Dictionary(uniqueKeysWithValues: ChannelGroups.find(in: resolved).map { ($0.id, $0) })
        #expect(groups["single"]?.obstacles.contains(.misalignedChannels(node: "spread")) == true)
        #expect(groups["spread"]?.obstacles.contains(.misalignedChannels(node: "spread")) == true)
        #expect(groups["spread"]?.isPrunable == false)
        // The convolution after it still prunes.
        #expect(groups["conv"]?.isPrunable == true)
        let result = try GraphSurgery.removeChannels(keptChannels: ["conv": [0, 2]], in: resolved)
        #expect(result.selections["spread.constant"] == nil)
    }
}
