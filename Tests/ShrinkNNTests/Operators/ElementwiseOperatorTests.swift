import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// Add, Mul and Identity: values, broadcasting, shape inference, errors and gradient checks.
@Suite struct ElementwiseOperatorTests {
    // MARK: Add

    @Test func addSumsEqualShapes() throws {
        let output = try Support.run(AdditionOperator(), [
            Tensor(shape: [1, 3], scalars: [1, 2, 3]), Tensor(shape: [1, 3], scalars: [10, 20, 30]),
            Tensor(shape: [1, 3], scalars: [100, 200, 300]),
        ])
        #expect(output == Tensor(shape: [1, 3], scalars: [111, 222, 333]))
    }

    @Test func addBroadcastsPerChannelAndPerSampleOperands() throws {
        let input = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        // [batch, C, 1, 1]: one value per sample and channel.
        let perChannel = Tensor(shape: [2, 2, 1, 1], scalars: [10, 20, 30, 40])
        #expect(try Support.run(AdditionOperator(), [input, perChannel])
                == Tensor(shape: [2, 2, 1, 2], scalars: [11, 12, 23, 24, 35, 36, 47, 48]))
        // [1, C, 1, W]: shared by every sample, either operand order.
        let shared = Tensor(shape: [1, 2, 1, 2], scalars: [100, 200, 300, 400])
        let expected = Tensor(shape: [2, 2, 1, 2], scalars: [101, 202, 303, 404, 105, 206, 307, 408])
        #expect(try Support.run(AdditionOperator(), [input, shared]) == expected)
        #expect(try Support.run(AdditionOperator(), [shared, input]) == expected)
    }

    /// The gradient of a broadcast operand is the output gradient summed over the broadcast axes.
    @Test func addGradientSumsOverBroadcastAxes() throws {
        let input = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let shared = Tensor(shape: [1, 2, 1, 1], scalars: [1, 2])
        let outputGradient = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let gradients = try Support.inputGradients(AdditionOperator(), [input, shared], outputGradient: outputGradient)
        #expect(gradients[0] == outputGradient)
        // Channel 0: 1 + 2 + 5 + 6; channel 1: 3 + 4 + 7 + 8.
        #expect(gradients[1] == Tensor(shape: [1, 2, 1, 1], scalars: [14, 22]))
    }

    @Test func addInfersBroadcastShapesKeepingTheBatchSymbol() throws {
        let batched = ValueShape([.batch, .fixed(3), .fixed(4), .fixed(4)])
        #expect(try Support.outputShape(AdditionOperator(), [batched, batched, batched]) == batched)
        #expect(try Support.outputShape(AdditionOperator(), [batched, ValueShape([.batch, .fixed(3), .fixed(1), .fixed(1)])]) == batched)
        #expect(try Support.outputShape(AdditionOperator(), [ValueShape([.fixed(1), .fixed(3), .fixed(4), .fixed(4)]), batched]) == batched)
        #expect(try Support.outputShape(AdditionOperator(), [ValueShape([.batch, .fixed(3), .fixed(1), .fixed(4)]),
                                                               ValueShape([.batch, .fixed(3), .fixed(5), .fixed(1)])])
                == ValueShape([.batch, .fixed(3), .fixed(5), .fixed(4)]))
    }

    @Test func addRejectsShapesThatDoNotBroadcast() {
        let channels = #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(), [Support.batched(3), Support.batched(4)])
        }
        #expect(channels?.message == "input 1 [batch, 4] does not broadcast on axis 1 (4 vs 3)")
        let spatial = #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(), [Support.batched(3, 2), Support.batched(3, 5)])
        }
        #expect(spatial?.message == "input 1 [batch, 3, 5] does not broadcast on axis 2 (5 vs 2)")
        let rank = #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(), [Support.batched(3, 2), Support.batched(3)])
        }
        #expect(rank?.message == "input 1 has rank 2, input 0 rank 3; operands need equal ranks")
        // A symbolic batch broadcasts only against itself or 1.
        #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(), [Support.batched(3), ValueShape([.fixed(2), .fixed(3)])])
        }
    }

    @Test func addGraphErrorsNameTheNode() {
        var builder = GraphBuilder(name: "bad-add", inputShape: [3])
        let wide = builder.add("wide", LinearOperator(inputFeatures: 3, outputFeatures: 4), builder.input)
        builder.add("sum", AdditionOperator(), builder.input, wide)
        #expect(throws: GraphError.invalidNode(
            node: "sum", type: "Add",
            reason: "input 1 [batch, 4] does not broadcast on axis 1 (4 vs 3) (input shapes [batch, 3], [batch, 4])")) {
            _ = try ResolvedGraph(builder.finish(), registry: .standard)
        }
        var single = GraphBuilder(name: "single-add", inputShape: [3])
        single.add("sum", AdditionOperator(), single.input)
        #expect(throws: GraphError.invalidNode(node: "sum", type: "Add", reason: "takes 2 or more input(s), got 1")) {
            _ = try ResolvedGraph(single.finish(), registry: .standard)
        }
    }

    @Test func addGradients() throws {
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[2, 3, 2, 2], [2, 3, 2, 2]])
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[2, 4], [2, 4], [2, 4]])
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[2, 3, 2, 2], [2, 3, 1, 1]])
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[1, 3, 2, 2], [2, 3, 2, 2]])
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[2, 3, 1, 4], [2, 3, 5, 1]])
    }

    // MARK: Mul

    @Test func multiplyMultipliesAndGates() throws {
        #expect(try Support.run(MultiplicationOperator(), [Tensor(shape: [1, 3], scalars: [1, 2, 3]),
                                                           Tensor(shape: [1, 3], scalars: [4, 5, -6])])
                == Tensor(shape: [1, 3], scalars: [4, 10, -18]))
        let input = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let gate = Tensor(shape: [2, 2, 1, 1], scalars: [1, 0, 2, -1])
        let expected = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 0, 0, 10, 12, -7, -8])
        #expect(try Support.run(MultiplicationOperator(), [input, gate]) == expected)
        #expect(try Support.run(MultiplicationOperator(), [gate, input]) == expected)
    }

    @Test func multiplyGradientOfTheGateSumsItsProducts() throws {
        let input = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        let gate = Tensor(shape: [1, 2, 1, 1], scalars: [5, 6])
        let gradients = try Support.inputGradients(MultiplicationOperator(), [input, gate],
                                                   outputGradient: Tensor(shape: [1, 2, 1, 2], scalars: [1, 1, 2, 2]))
        #expect(gradients[0] == Tensor(shape: [1, 2, 1, 2], scalars: [5, 5, 12, 12]))
        #expect(gradients[1] == Tensor(shape: [1, 2, 1, 1], scalars: [3, 14]))
    }

    @Test func multiplyShapesAndErrors() throws {
        #expect(try Support.outputShape(MultiplicationOperator(), [Support.batched(4, 3, 3), Support.batched(4, 1, 1)])
                == Support.batched(4, 3, 3))
        #expect(throws: OperatorError.self) {
            try Support.outputShape(MultiplicationOperator(), [Support.batched(4, 3, 3), Support.batched(4, 2, 3)])
        }
        var builder = GraphBuilder(name: "triple", inputShape: [3])
        builder.add("product", MultiplicationOperator(), builder.input, builder.input, builder.input)
        #expect(throws: GraphError.invalidNode(node: "product", type: "Mul", reason: "takes 2 input(s), got 3")) {
            _ = try ResolvedGraph(builder.finish(), registry: .standard)
        }
    }

    @Test func multiplyGradients() throws {
        try GraphGradientChecking.check(MultiplicationOperator(), inputShapes: [[2, 3, 2, 2], [2, 3, 2, 2]])
        try GraphGradientChecking.check(MultiplicationOperator(), inputShapes: [[2, 3, 2, 2], [2, 3, 1, 1]])
        try GraphGradientChecking.check(MultiplicationOperator(), inputShapes: [[2, 3, 1, 1], [2, 3, 2, 2]])
        try GraphGradientChecking.check(MultiplicationOperator(), inputShapes: [[1, 3, 2, 2], [2, 3, 2, 2]])
    }

    /// A value read twice by one node gets both gradients: `x ⊙ x` has gradient `2x`.
    @Test func multiplyingAValueByItselfDoublesTheGradient() throws {
        var builder = GraphBuilder(name: "square", inputShape: [3])
        builder.add("square", MultiplicationOperator(), builder.input, builder.input)
        try GraphGradientChecking.check(graph: builder.finish(), inputShapes: [[2, 3]])
    }

    // MARK: Identity

    @Test func identityPassesValuesAndGradients() throws {
        let input = Tensor(shape: [2, 3], scalars: [1, -2, 3, -4, 5, -6])
        #expect(try Support.run(IdentityOperator(), [input]) == input)
        #expect(try Support.outputShape(IdentityOperator(), [Support.batched(3, 2)]) == Support.batched(3, 2))
        try GraphGradientChecking.check(IdentityOperator(), inputShapes: [[2, 3]])
    }

    // MARK: Common properties

    @Test func operationCountsAndCoupling() {
        #expect(AdditionOperator().operationCount(inputShapes: [[2, 3], [2, 3], [2, 3]], outputShapes: [[2, 3]])
                == OperationCount(additions: 12))
        #expect(MultiplicationOperator().operationCount(inputShapes: [[2, 3, 4], [2, 3, 1]], outputShapes: [[2, 3, 4]])
                == OperationCount(multiplies: 24))
        #expect(IdentityOperator().operationCount(inputShapes: [[2, 3]], outputShapes: [[2, 3]]) == .zero)
        for op: any Operator in [AdditionOperator(), MultiplicationOperator(), IdentityOperator()] {
            #expect(op.channelCoupling == .elementwise(perChannel: []))
            #expect(op.resizingChannels(input: 2, output: 2)?.attributes == op.attributes)
        }
    }

    /// Every op this change adds is registered and rebuilds itself from its attributes.
    @Test func newOpsAreRegisteredAndRoundTripTheirAttributes() throws {
        let ops: [any Operator] = [
            AdditionOperator(), MultiplicationOperator(), ConcatenationOperator(axis: 2), ReshapeOperator(shape: [3, -1]),
            TransposeOperator(permutation: [0, 2, 1]), ClipOperator(minimum: -1, maximum: 2), ReLU6Operator(),
            LeakyReLUOperator(alpha: 0.2), SigmoidOperator(), TanhOperator(), HardSwishOperator(),
            HardSigmoidOperator(alpha: 0.25, beta: 0.4), IdentityOperator(), SoftmaxOperator(axis: 1),
            LogSoftmaxOperator(axis: -1), MatrixMultiplicationOperator(),
        ]
        for op in ops {
            let node = Node(name: "node", operatorType: op.typeName, inputs: ["x"], outputs: ["y"], attributes: op.attributes)
            let rebuilt = try OperatorRegistry.standard.makeOperator(for: node)
            #expect(type(of: rebuilt) == type(of: op))
            #expect(rebuilt.attributes == op.attributes)
        }
        // Defaults fill omitted attributes.
        let defaults = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "leaky", operatorType: "LeakyReLU", inputs: ["x"], outputs: ["y"]))
        #expect(defaults.attributes == ["alpha": .float(0.01)])
    }
}
