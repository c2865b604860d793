import ShrinkTensor
import Testing
@testable import ShrinkNN

/// A batch normalization read only by a ReLU rectifies its own output inside a graph network;
/// the network computes the same values and gradients as running the two nodes apart.
@Suite struct RectifierFusionTests {
    /// Runs the wrapped kernel unchanged; wrapping a node's kernel keeps it out of fusion.
    final class PassThroughKernel: OperatorKernel {
        let inner: any OperatorKernel
        init(_ inner: any OperatorKernel) { self.inner = inner }
        func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] { inner.forward(inputs, mode: mode) }
        func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
            inner.backward(outputGradients, needsInputGradients: needsInputGradients)
        }
    }

    static func normalizations(of network: GraphNetwork) -> [(name: String, rectifies: Bool)] {
        network.graph.nodes.indices.compactMap { index in
            guard let layer = (network.kernel(ofNode: index) as? SingleInputKernel)?.layer as? BatchNormalization2D else {
                return nil
            }
            return (network.graph.nodes[index].name, layer.rectifiesOutput)
        }
    }

    @Test func fusedAndSeparateNodesAgree() throws {
        var generator = SeededRandomNumberGenerator(seed: 41)
        let fused = try GraphNetwork(graph: ModelZoo.graph(named: "resnet-mini"), generator: &generator)
        // Only normalizations followed by a plain ReLU fuse: the stem, the residual branch's
        // first one, the down-sampling one and the pointwise one; not a normalization read by
        // an addition or by ReLU6.
        let rectifying = Self.normalizations(of: fused).filter(\.rectifies).map(\.name)
        #expect(rectifying.count == 5, "\(rectifying)")
        #expect(Self.normalizations(of: fused).contains { !$0.rectifies })

        let separate = GraphNetwork(sharingParametersOf: fused) { node, _, kernel in
            node.operatorType == ReLUOperator.typeName ? PassThroughKernel(kernel) : nil
        }
        #expect(!Self.normalizations(of: separate).contains { $0.rectifies })

        let input = Tensor.randomNormal(shape: [4, 1, 28, 28], using: &generator)
        let outputGradient = Tensor.randomNormal(shape: [4, 10], using: &generator)
        func run(_ network: GraphNetwork) -> (output: Tensor, input: Tensor?, gradients: [Tensor]) {
            network.zeroGradients()
            let output = network.forward(input, mode: .training)
            let inputGradient = network.backward(outputGradient, needsInputGradient: true)
            return (output, inputGradient, network.parameters.map(\.gradient))
        }
        let one = run(fused), other = run(separate)
        #expect(one.output.scalars == other.output.scalars)
        #expect(one.input?.scalars == other.input?.scalars)
        for (left, right) in zip(one.gradients, other.gradients) { #expect(left.scalars == right.scalars) }
        #expect(fused.forward(input, mode: .inference).scalars == separate.forward(input, mode: .inference).scalars)
    }
}
