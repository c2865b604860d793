import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import ShrinkTraining
import Testing

/// A ResNet-style graph through the whole flow: trained (backprop over a DAG with fan-out),
/// structurally pruned through its residual adds, concatenation and depthwise block, written to
/// a file that is smaller, and run by the runtime with the same outputs as the network.
@Suite struct ResidualGraphPipelineTests {
    /// Two residual stages (the second after a stride-2 convolution), a depthwise-separable block
    /// with ReLU6, BatchNorm after every convolution, a concatenation of the stage and the block,
    /// global average pooling and a classifier, on `[1, 8, 8]` images.
    static var graph: Graph {
        var builder = GraphBuilder(name: "residual-test", inputShape: [1, 8, 8])
        let stem = builder.add("stem_relu", ReLUOperator(),
                               builder.convolutionWithBatchNormalization("stem", builder.input, inputChannels: 1, outputChannels: 6))
        let stage1 = builder.residualBlock("stage1", stem, channels: 6)
        let down = builder.add("down_relu", ReLUOperator(), builder.convolutionWithBatchNormalization(
            "down", stage1, inputChannels: 6, outputChannels: 8, stride: 2))
        let stage2 = builder.residualBlock("stage2", down, channels: 8)
        let depthwise = builder.add("dw_relu6", ReLU6Operator(), builder.convolutionWithBatchNormalization(
            "dw", stage2, inputChannels: 8, outputChannels: 8, groups: 8))
        let pointwise = builder.add("pw_relu", ReLUOperator(), builder.convolutionWithBatchNormalization(
            "pw", depthwise, inputChannels: 8, outputChannels: 8, kernel: 1))
        let joined = builder.add("concat", ConcatenationOperator(), stage2, pointwise)
        let pooled = builder.add("pool", GlobalAveragePoolOperator(), joined)
        builder.add("fc", LinearOperator(inputFeatures: 16, outputFeatures: 3), builder.add("flatten", FlattenOperator(), pooled))
        return builder.finish()
    }

    /// `count` seeded 8×8 images of three classes: a bright blob in the top-left, top-right or
    /// bottom half, on noise.
    static func dataset(count: Int, seed: UInt64) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var scalars = [Float](), labels = [Int]()
        for index in 0..<count {
            let label = index % 3
            for row in 0..<8 {
                for column in 0..<8 {
                    let inside = label == 0 ? (row < 4 && column < 4) : label == 1 ? (row < 4 && column >= 4) : row >= 4
                    scalars.append((inside ? 1 : 0) + 0.3 * (generator.nextUniform() - 0.5))
                }
            }
            labels.append(label)
        }
        return LabeledDataset(inputs: Tensor(shape: [count, 1, 8, 8], scalars: scalars), labels: labels, classCount: 3)
    }

    @Test func trainsPrunesStoresAndRuns() throws {
        var generator = SeededRandomNumberGenerator(seed: 4)
        let network = try GraphNetwork(graph: Self.graph, generator: &generator)
        let training = Self.dataset(count: 800, seed: 1), validation = Self.dataset(count: 90, seed: 2)

        // 200 steps: 4 epochs of 50 batches of 16.
        var losses = [Float]()
        let configuration = TrainingConfiguration(
            epochs: 4, batchSize: 16, optimizer: .sgd(momentum: 0.9, weightDecay: 0, nesterov: false),
            baseLearningRate: 0.05, schedule: .cosine(minimum: 0), seed: 5)
        try Trainer().train(model: network, on: training, configuration: configuration) { event in
            if case let .batchFinished(_, _, _, loss) = event { losses.append(loss) }
        }
        #expect(losses.count == 200)
        let first = losses.prefix(20).reduce(0, +) / 20, last = losses.suffix(20).reduce(0, +) / 20
        #expect(last < 0.5 * first, "mean loss of the first 20 steps \(first), of the last 20 \(last)")
        let accuracy = Evaluator.evaluate(model: network, on: validation).top1Accuracy
        #expect(accuracy > 0.9)

        // Structured pruning at 50 % (no fine-tuning: the comparison below is exact).
        let model = CompressedModel(network: network)
        let before = try ModelFile(graph: network.graph, parameters: network.parameters).encoded()
        let pruner = try StructuredPruner(configuration: StructuredPruningConfiguration(layers: PerLayerSettings(default: 0.5)))
        try pruner.prepare(model: model)
        // Tied groups: the stem with stage 1's second convolution, the stride-2 convolution with
        // stage 2's second convolution; the depthwise convolution follows stage 2's channels.
        #expect(pruner.plans.map(\.producers) == [["stem", "stage1_conv2"], ["stage1_conv1"], ["down", "stage2_conv2"],
                                                   ["stage2_conv1"], ["pw"]])
        try pruner.finalize()
        let pruned = model.network
        _ = try ResolvedGraph(pruned.graph, registry: .standard)
        #expect(pruned.parameter(named: "stem.weight")?.value.shape == [3, 1, 3, 3])
        #expect(pruned.parameter(named: "dw.weight")?.value.shape == [4, 1, 3, 3])
        #expect(pruned.parameter(named: "fc.weight")?.value.shape == [3, 8])
        #expect(pruned.trainableParameterCount < network.trainableParameterCount / 2)

        // The file is smaller and the runtime computes what the network computes.
        let file = try model.modelFile()
        let bytes = try file.encoded()
        #expect(bytes.count < before.count)
        let storedWeights = try ModelFile.decode(bytes).tensors.reduce(0) { $0 + $1.value.count }
        #expect(storedWeights < network.parameters.reduce(0) { $0 + $1.value.count } / 2)
        let plan = try ExecutionPlan(file: try ModelFile.decode(bytes))
        let probe = validation.batch(at: 0..<12).inputs
        let expected = pruned.forward(probe, mode: .inference)
        let output = try plan.run(probe)
        #expect(output.shape == expected.shape)
        let difference = zip(output.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(difference < 1e-4)
        // Fine-tuned for 50 steps, the smaller graph classifies as well as the original.
        var fineTuning = configuration
        fineTuning.epochs = 1
        try Trainer().train(model: pruned, on: training, configuration: fineTuning)
        #expect(Evaluator.evaluate(model: pruned, on: validation).top1Accuracy > 0.9)
    }
}
