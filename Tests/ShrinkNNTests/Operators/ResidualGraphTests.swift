import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Small graphs combining the new ops, built with `GraphBuilder` and gradient-checked end to end.
@Suite struct ResidualGraphTests {
    /// input → fc1 → ReLU → { fcA → Add(·, ReLU output) ; fcB → Sigmoid } → Concat → fc2.
    static func residualGraph() -> Graph {
        var builder = GraphBuilder(name: "residual", inputShape: [5])
        let hidden = builder.add("fc1", LinearOperator(inputFeatures: 5, outputFeatures: 6), builder.input)
        let activated = builder.add("relu", ReLUOperator(), hidden)
        let branch = builder.add("fcA", LinearOperator(inputFeatures: 6, outputFeatures: 6), activated)
        let residual = builder.add("residual", AdditionOperator(), branch, activated)
        let side = builder.add("fcB", LinearOperator(inputFeatures: 6, outputFeatures: 3), activated)
        let gate = builder.add("gate", SigmoidOperator(), side)
        let joined = builder.add("concat", ConcatenationOperator(), residual, gate)
        builder.add("fc2", LinearOperator(inputFeatures: 9, outputFeatures: 2), joined)
        return builder.finish()
    }

    @Test func residualAddAndConcatShapes() throws {
        let resolved = try ResolvedGraph(Self.residualGraph(), registry: .standard)
        #expect(resolved.shapes["residual"] == .batched([6]))
        #expect(resolved.shapes["concat"] == .batched([9]))
        #expect(resolved.sampleOutputShape == [2])
        let residualIndex = resolved.graph.nodes.firstIndex { $0.name == "residual" }!
        #expect(resolved.operators[residualIndex].channelCoupling == .elementwise(perChannel: []))
        let perSample = resolved.operationCountPerSample
        #expect(perSample[residualIndex] == OperationCount(additions: 6))
    }

    @Test func residualAddAndConcatGradients() throws {
        try GraphGradientChecking.check(graph: Self.residualGraph(), inputShapes: [[3, 5]], epsilon: 1e-3)
    }

    /// Self-attention without projections: softmax(X·Xᵀ)·X, reshaped and classified.
    @Test func attentionLikeGraphGradients() throws {
        var builder = GraphBuilder(name: "attention", inputShape: [3, 2])
        let keys = builder.add("keys", TransposeOperator(permutation: [0, 2, 1]), builder.input)
        let scores = builder.add("scores", MatrixMultiplicationOperator(), builder.input, keys)
        let weights = builder.add("weights", SoftmaxOperator(), scores)
        let mixed = builder.add("mixed", MatrixMultiplicationOperator(), weights, builder.input)
        let flat = builder.add("flat", ReshapeOperator(shape: [-1]), mixed)
        let scaled = builder.add("scaled", HardSwishOperator(), flat)
        builder.add("classifier", LinearOperator(inputFeatures: 6, outputFeatures: 2), scaled)
        let graph = builder.finish()
        let resolved = try ResolvedGraph(graph, registry: .standard)
        #expect(resolved.shapes["scores"] == .batched([3, 3]))
        #expect(resolved.shapes["flat"] == .batched([6]))
        try GraphGradientChecking.check(graph: graph, inputShapes: [[2, 3, 2]], epsilon: 1e-3)
    }
}
