import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// Graphs and random-weight networks for the graph tests.
enum GraphFixtures {
    /// A network for `graph` with random weights; BatchNorm affine and running statistics are
    /// randomized too (the defaults would make BatchNorm the identity).
    static func network(_ graph: Graph, seed: UInt64) throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        for parameter in network.parameters {
            let nodeName = String(parameter.name.split(separator: ".")[0])
            guard network.graph.node(named: nodeName)?.operatorType == "BatchNormalization" else { continue }
            let offset: Float = parameter.name.hasSuffix(".running_var") || parameter.name.hasSuffix(".weight") ? 0.6 : -0.3
            parameter.value = Tensor(shape: parameter.value.shape,
                                     scalars: (0..<parameter.value.count).map { _ in offset + 0.6 * generator.nextUniform() })
        }
        return network
    }

    /// The network's weights as a file's tensor table (dense fp32).
    static func tensors(_ network: GraphNetwork) -> [StoredTensor] { network.parameters.map(StoredTensor.init) }

    /// conv (1→4, 3×3, pad 1) → bn → relu → maxpool 2 → flatten → fc (64→5), input [1, 8, 8].
    static func convolutionBatchNorm(extraOutputs: [String] = []) -> Graph {
        var builder = GraphBuilder(name: "conv-bn", inputShape: [1, 8, 8])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 4,
                                                           window: WindowGeometry(square: 3, padding: 1)), builder.input)
        x = builder.add("bn1", BatchNormalizationOperator(channels: 4), x)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("flatten", FlattenOperator(), x)
        let logits = builder.add("fc", LinearOperator(inputFeatures: 64, outputFeatures: 5), x)
        return builder.finish(outputs: [logits] + extraOutputs)
    }

    static func input(batch: Int, shape: [Int], seed: UInt64) -> Tensor {
        ExecutionPlanTests.input(batch: batch, shape: shape, seed: seed)
    }
}
