import ShrinkFormats
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// ReLU6 and Clip fused into the producing step's output transform as a clamp, like ReLU: the
/// fused plan equals the unfused one (the activation kept as its own step) and GraphNetwork.
@Suite("ExecutionPlan clamp fusion")
struct ExecutionPlanClampFusionTests {
    /// conv (1→4, 3×3, pad 1) → bn → `activation` → flatten → fc (256→5), input [1, 8, 8].
    static func graph(_ activation: any Operator, extraOutputs: [String] = []) -> Graph {
        var builder = GraphBuilder(name: "conv-clamp", inputShape: [1, 8, 8])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 4,
                                                           window: WindowGeometry(square: 3, padding: 1)), builder.input)
        x = builder.add("bn1", BatchNormalizationOperator(channels: 4), x)
        x = builder.add("act1", activation, x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("fc", LinearOperator(inputFeatures: 256, outputFeatures: 5), x)
        x = builder.add("act2", activation, x)
        return builder.finish(outputs: [x] + extraOutputs)
    }

    static let activations: [any Operator] = [ReLU6Operator(), ClipOperator(minimum: -0.3, maximum: 0.4), ClipOperator(maximum: 0.2)]

    @Test("fused clamp equals the unfused plan and GraphNetwork", arguments: 0..<activations.count, [false, true])
    func fusedClamp(activationIndex: Int, float16: Bool) throws {
        let activation = Self.activations[activationIndex]
        let fusedGraph = Self.graph(activation)
        // bn1 and fc also graph outputs: act1 and act2 read values with two readers, not fused.
        let unfusedGraph = Self.graph(activation, extraOutputs: ["bn1", "fc"])
        let network = try GraphFixtures.network(fusedGraph, seed: 21)
        var tensors = GraphFixtures.tensors(network)
        if float16 {
            // fp16 weights: the conv is lowered (im2col), the BatchNorm and clamp run in its scatter.
            var generator = SeededRandomNumberGenerator(seed: 3)
            let weight = try #require(network.parameter(named: "conv1.weight"))
            let coded = try HandCompression.code(weight.value.scalars, rows: 4, encoding: .float16, generator: &generator)
            let stored = try StoredTensor(name: weight.name, shape: weight.value.shape, encoding: coded)
            weight.value = stored.value
            tensors = tensors.map { $0.name == stored.name ? stored : $0 }
        }
        let fused = try ExecutionPlan(graph: fusedGraph, tensors: tensors)
        let unfused = try ExecutionPlan(graph: unfusedGraph, tensors: tensors)
        let fusedKinds = fused.layers.map(\.kernel)
        #expect(fusedKinds[2] == .fused(into: "conv1") && fusedKinds[5] == .fused(into: "fc"), "\(fusedKinds)")
        #expect(unfused.layers[2].kernel == .reference(activation.typeName))
        for batch in [1, 3] {
            let input = GraphFixtures.input(batch: batch, shape: [1, 8, 8], seed: UInt64(40 + batch))
            let expected = network.forward(input, mode: .inference)
            let fusedOutput = try fused.run(input), unfusedOutput = try unfused.run(input)
            #expect(ExecutionPlanTests.relativeError(fusedOutput, unfusedOutput) <= 1e-5)
            #expect(ExecutionPlanTests.relativeError(fusedOutput, expected) <= 1e-5)
        }
    }
}
