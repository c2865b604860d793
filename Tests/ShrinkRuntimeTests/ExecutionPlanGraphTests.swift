import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// Plans compiled from graphs against `GraphNetwork`'s inference forward pass: zoo models,
/// fan-out, BatchNorm folding and fusion, ReLU fusion, the arena and aliasing.
@Suite("ExecutionPlan graphs")
struct ExecutionPlanGraphTests {
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float { ExecutionPlanTests.relativeError(a, b) }

    @Test("zoo graphs with random weights match GraphNetwork", arguments: ["lenet-300-100", "lenet-5", "mlp-784-100-10"])
    func zooGraphs(name: String) throws {
        let graph = try ModelZoo.graph(named: name)
        let network = try GraphFixtures.network(graph, seed: 17)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        for batch in [1, 3, 2] {
            let input = GraphFixtures.input(batch: batch, shape: plan.inputShape, seed: UInt64(batch))
            let error = Self.relativeError(try plan.run(input), network.forward(input, mode: .inference))
            #expect(error <= 1e-5, "\(name) batch \(batch): \(error)")
        }
    }

    @Test("ReLUs after Linear layers run in the Linear's step; Flatten aliases the input")
    func reluFusionAndFlattenAlias() throws {
        let graph = try ModelZoo.graph(named: "lenet-300-100")
        let network = try GraphFixtures.network(graph, seed: 3)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.layers.map(\.kernel) == [
            .identity, .float32, .fused(into: "fc1"), .float32, .fused(into: "fc2"), .float32,
        ])
        #expect(plan.steps.map(\.name) == ["fc1", "fc2", "fc3"])
        #expect(plan.storage(of: "flatten") == .graphInput("input"))
        #expect(plan.storage(of: "relu1") == plan.storage(of: "fc1"))
        // fc1's fp32 panels: 300 outputs take 288 + a 16-column last panel, 4 zero columns.
        #expect(plan.layerWeightBytes[2] == 0 && plan.layerWeightBytes[1] == 4 * (784 * 304 + 300))
    }

    @Test("Flatten after pooling aliases the pooled buffer (no copy)")
    func flattenAliasesArenaValue() throws {
        let graph = try ModelZoo.graph(named: "lenet-5")
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(try GraphFixtures.network(graph, seed: 4)))
        let pooled = try #require(plan.storage(of: "pool2"))
        #expect(plan.storage(of: "flatten") == pooled)
        guard case let .arena(_, elements) = pooled else { Issue.record("pool2 is not in the arena"); return }
        #expect(elements == 800)
        #expect(plan.layers[4].kernel == .identity)
    }

    @Test("fan-out: one value read by two nodes, both graph outputs, plus intermediate outputs")
    func fanOut() throws {
        var builder = GraphBuilder(name: "fan-out", inputShape: [1, 8, 8])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 4,
                                                           window: WindowGeometry(square: 3, padding: 1)), builder.input)
        let activated = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), activated)
        let flat = builder.add("flatten", FlattenOperator(), x)
        let first = builder.add("head1", LinearOperator(inputFeatures: 64, outputFeatures: 5), flat)
        let second = builder.add("head2", LinearOperator(inputFeatures: 64, outputFeatures: 3), flat)
        let second2 = builder.add("relu2", ReLUOperator(), second)
        let graph = builder.finish(outputs: [first, second2, activated, "conv1"])
        let network = try GraphFixtures.network(graph, seed: 8)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        // conv1 is a graph output, so relu1 cannot run in conv1's buffer: its own step and buffer.
        // relu2 is fused into head2 (its output, a graph output, shares head2's buffer).
        #expect(plan.layers.map(\.kernel) == [
            .reference("Conv2D"), .relu, .native("MaxPool2D"), .identity, .float32, .float32, .fused(into: "head2"),
        ])
        for batch in [2, 1] {
            let input = GraphFixtures.input(batch: batch, shape: [1, 8, 8], seed: UInt64(20 + batch))
            let outputs = try plan.run(inputs: ["input": input])
            let expected = network.forward(inputs: ["input": input], mode: .inference)
            #expect(Set(outputs.keys) == ["head1", "relu2", "relu1", "conv1"])
            for name in outputs.keys.sorted() {
                let error = Self.relativeError(outputs[name]!, expected[name]!)
                #expect(error <= 1e-5, "\(name) batch \(batch): \(error)")
            }
            // The single-input API returns the first output.
            #expect(try plan.run(input) == outputs["head1"]!)
        }
    }

    @Test("BatchNorm after an fp32 conv: folded into its weights, equal to the unfolded plan and GraphNetwork")
    func batchNormFolded() throws {
        let foldedGraph = GraphFixtures.convolutionBatchNorm()
        // conv1 also a graph output: bn1 has an input with two readers and cannot be folded.
        let unfoldedGraph = GraphFixtures.convolutionBatchNorm(extraOutputs: ["conv1"])
        let network = try GraphFixtures.network(foldedGraph, seed: 12)
        let tensors = GraphFixtures.tensors(network)
        let folded = try ExecutionPlan(graph: foldedGraph, tensors: tensors)
        let unfolded = try ExecutionPlan(graph: unfoldedGraph, tensors: tensors)
        #expect(folded.layers.prefix(3).map(\.kernel) == [.reference("Conv2D"), .folded(into: "conv1"), .fused(into: "conv1")])
        #expect(unfolded.layers.prefix(3).map(\.kernel) == [.reference("Conv2D"), .reference("BatchNormalization"),
                                                             .fused(into: "bn1")])
        for batch in [1, 4] {
            let input = GraphFixtures.input(batch: batch, shape: [1, 8, 8], seed: UInt64(batch))
            let expected = network.forward(input, mode: .inference)
            let foldedOutput = try folded.run(input), unfoldedOutput = try unfolded.run(input)
            #expect(Self.relativeError(foldedOutput, expected) <= 1e-5)
            #expect(Self.relativeError(unfoldedOutput, expected) <= 1e-5)
            #expect(Self.relativeError(foldedOutput, unfoldedOutput) <= 1e-5)
        }
    }

    static let compressedBatchNormCases: [(HandEncoding, LayerKernel, LayerKernel, Float)] = [
        // fp16 and palette weights cannot absorb a per-channel scale: it runs in the scatter loop.
        (.float16, .convolution(.float16), .fused(into: "conv1"), 1e-5),
        (.palette(bits: 4), .convolution(.palette(bits: 4)), .fused(into: "conv1"), 1e-5),
        (.sparsePalette(keep: 0.5, bits: 5), .convolution(.sparse(density: 0, palettized: true)), .fused(into: "conv1"), 1e-5),
        // int8 folds it into the per-channel weight scales (activations quantized per row: ~1 %).
        (.int8, .convolution(.int8(static: false)), .folded(into: "conv1"), 2e-2),
        // Sub-byte and 5-7-bit affine codes fold it into their scales too.
        (.affine(bits: 4, isSigned: true, perTensor: false), .convolution(.integer(bits: 4)), .folded(into: "conv1"), 2e-2),
        (.affine(bits: 3, isSigned: false, perTensor: true), .convolution(.integer(bits: 3)), .folded(into: "conv1"), 2e-2),
        (.affine(bits: 7, isSigned: true, perTensor: false), .convolution(.int8(static: false)), .folded(into: "conv1"), 2e-2),
    ]

    @Test("BatchNorm after a compressed conv: per-channel scale + shift, or int8 / sub-byte scales", arguments: 0..<compressedBatchNormCases.count)
    func batchNormAfterCompressedConvolution(caseIndex: Int) throws {
        let (encoding, convolutionKernel, batchNormKernel, tolerance) = Self.compressedBatchNormCases[caseIndex]
        let graph = GraphFixtures.convolutionBatchNorm()
        let network = try GraphFixtures.network(graph, seed: 5)
        var generator = SeededRandomNumberGenerator(seed: 6)
        let weight = try #require(network.parameter(named: "conv1.weight"))
        let coded = try HandCompression.code(weight.value.scalars, rows: 4, encoding: encoding, generator: &generator)
        let stored = try StoredTensor(name: weight.name, shape: weight.value.shape, encoding: coded)
        weight.value = stored.value // the reference runs the decoded weights
        let tensors = GraphFixtures.tensors(network).map { $0.name == stored.name ? stored : $0 }
        let plan = try ExecutionPlan(graph: graph, tensors: tensors)
        switch (plan.layers[0].kernel, convolutionKernel) {
        case (.convolution(.sparse), .convolution(.sparse)): break
        default: #expect(plan.layers[0].kernel == convolutionKernel)
        }
        #expect(plan.layers[1].kernel == batchNormKernel && plan.layers[2].kernel == .fused(into: "conv1"))
        for batch in [1, 3] {
            let input = GraphFixtures.input(batch: batch, shape: [1, 8, 8], seed: UInt64(30 + batch))
            let error = Self.relativeError(try plan.run(input), network.forward(input, mode: .inference))
            #expect(error <= tolerance, "\(encoding) batch \(batch): \(error)")
        }
    }

    @Test("a deep chain reuses arena space: smaller than one buffer per activation")
    func arenaReuse() throws {
        var builder = GraphBuilder(name: "deep", inputShape: [32])
        var x = builder.input
        for index in 1...8 { x = builder.add("fc\(index)", LinearOperator(inputFeatures: 32, outputFeatures: 32), x) }
        let graph = builder.finish()
        let network = try GraphFixtures.network(graph, seed: 9)
        let plan = try ExecutionPlan(graph: graph, tensors: GraphFixtures.tensors(network))
        #expect(plan.unsharedActivationBytesPerSample == 8 * 32 * 4)
        // Each output lives until the next layer has read it: two buffers alternate.
        #expect(plan.arenaBytesPerSample == 2 * 32 * 4)
        let offsets = (1...8).compactMap { index -> Int? in
            if case let .arena(offset, _)? = plan.storage(of: "fc\(index)") { return offset }
            return nil
        }
        #expect(offsets == [0, 32, 0, 32, 0, 32, 0, 32])
        for batch in [5, 1] {
            let input = GraphFixtures.input(batch: batch, shape: [32], seed: UInt64(batch))
            #expect(Self.relativeError(try plan.run(input), network.forward(input, mode: .inference)) <= 1e-5)
        }
        #expect(plan.activationBufferBytes == 5 * 2 * 32 * 4)
    }

    @Test("compile errors name the node")
    func errorsNameTheNode() throws {
        let graph = try ModelZoo.graph(named: "lenet-300-100")
        let tensors = GraphFixtures.tensors(try GraphFixtures.network(graph, seed: 1))
        let missing = #expect(throws: ExecutionPlanError.self) {
            try ExecutionPlan(graph: graph, tensors: tensors.filter { $0.name != "fc2.weight" })
        }
        #expect(missing?.description == "node 'fc2': no tensor 'fc2.weight'")
        let wrongShape = tensors.map { $0.name == "fc3.bias" ? StoredTensor(name: $0.name, value: Tensor(zeros: [11])) : $0 }
        let shape = #expect(throws: ExecutionPlanError.self) { try ExecutionPlan(graph: graph, tensors: wrongShape) }
        #expect(shape?.description.hasPrefix("node 'fc3': tensor 'fc3.bias' has shape [11]") == true)
    }
}
