import ShrinkNN
import ShrinkTensor
@testable import ShrinkCompression

/// Graphs, networks and helpers for the graph surgery tests.
enum GraphSurgeryTestSupport {
    /// The standard ops plus the test-only Add, Concat, depthwise convolution and opaque op.
    static let registry = OperatorRegistry(Array(OperatorRegistry.standard.types.values) + [
        TestAddOperator.self, TestConcatOperator.self, TestChannelReversalOperator.self,
        TestDepthwiseConvolutionOperator.self, TestStaleScaleOperator.self,
    ])

    static func resolve(_ graph: Graph) throws -> ResolvedGraph {
        try ResolvedGraph(graph, registry: registry)
    }

    static func convolution(_ input: Int, _ output: Int, kernel: Int, padding: Int = 0) -> Convolution2DOperator {
        Convolution2DOperator(inputChannels: input, outputChannels: output, window: WindowGeometry(square: kernel, padding: padding))
    }

    /// A network over `graph` whose trainable weights are multiples of 1/8 in [-1, 1] (nonzero),
    /// BatchNorm running means multiples of 1/8 and running variances in {1/4, 1/2, 1, 2}.
    static func network(_ graph: Graph, seed: UInt64) throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: graph, registry: registry, generator: &generator)
        for parameter in network.parameters {
            let scalars = (0..<parameter.value.count).map { _ -> Float in
                if parameter.name.hasSuffix(".running_var") { return Float(1 << generator.nextIndex(below: 4)) / 4 }
                let magnitude = Float(1 + generator.nextIndex(below: 8)) / 8
                return generator.nextIndex(below: 2) == 0 ? magnitude : -magnitude
            }
            parameter.value = Tensor(shape: parameter.value.shape, scalars: scalars)
        }
        return network
    }

    /// Sets to zero, in `network`, the removed channels' producer outputs and per-channel
    /// weights: those channels then carry zeros, as if absent.
    static func zero(channels removed: [Int], of group: ChannelGroup, in network: GraphNetwork) {
        for slice in group.slices where slice.role != .consumerInput {
            let parameter = network.parameter(named: slice.weightName)!
            let positions = Set(removed.flatMap { slice.positions(ofChannel: $0) })
            parameter.value = zeroing(positions, axis: slice.axis, of: parameter.value)
        }
    }

    /// `tensor` with the given positions of `axis` set to zero.
    static func zeroing(_ positions: Set<Int>, axis: Int, of tensor: Tensor) -> Tensor {
        let extent = tensor.shape[axis]
        let inner = tensor.shape[(axis + 1)...].reduce(1, *)
        var result = tensor
        for index in 0..<tensor.count where positions.contains((index / inner) % extent) { result.scalars[index] = 0 }
        return result
    }

    /// The network of the pruned graph holding the old network's values, sliced.
    static func prunedNetwork(_ graph: Graph, from network: GraphNetwork, selections: [String: WeightSlicing]) throws -> GraphNetwork {
        var sliced = [String: Tensor]()
        for (name, tensor) in network.namedTensors { sliced[name] = selections[name]?.apply(to: tensor) ?? tensor }
        return try GraphNetwork(graph: graph, tensors: sliced, registry: registry)
    }

    /// Inputs whose elements are multiples of 1/4 in [-1, 1].
    static func inputs(shape: [Int], seed: UInt64) -> Tensor {
        PruningTestSupport.dyadicInputs(shape: shape, seed: seed)
    }

    /// The largest absolute difference of two same-shaped tensors (infinity when shapes differ).
    static func maximumDifference(_ lhs: Tensor, _ rhs: Tensor) -> Float {
        guard lhs.shape == rhs.shape else { return .infinity }
        return zip(lhs.scalars, rhs.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
