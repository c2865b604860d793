import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// Sub and Div, broadcasting along the channel axis, and the constant operand of Add, Sub, Mul
/// and Div: values, shapes, attributes, errors and gradient checks.
@Suite struct ArithmeticOperatorTests {
    /// The output of `op` with a constant operand of value `constant` on `input`.
    static func run(_ op: some ElementwiseArithmetic, constant: Tensor, on input: Tensor) throws -> Tensor {
        let network = try Support.network(op, inputShapes: [input.shape])
        network.parameter(named: "node.constant")!.value = constant
        return network.forward(inputs: ["x0": input], mode: .inference)["y"]!
    }

    /// A constant operand of this shape, first or not.
    static func constant(_ shape: [Int], first: Bool = false) -> ConstantOperand {
        ConstantOperand(shape: shape, isFirst: first)
    }

    // MARK: Two activations

    @Test func subtractAndDivideBroadcastBothWays() throws {
        let left = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        let right = Tensor(shape: [1, 2, 1, 1], scalars: [10, 20])
        #expect(try Support.run(SubtractionOperator(), [left, right]) == Tensor(shape: [1, 2, 1, 2], scalars: [-9, -8, -17, -16]))
        #expect(try Support.run(SubtractionOperator(), [right, left]) == Tensor(shape: [1, 2, 1, 2], scalars: [9, 8, 17, 16]))
        #expect(try Support.run(DivisionOperator(), [left, right]) == Tensor(shape: [1, 2, 1, 2], scalars: [0.1, 0.2, 0.15, 0.2]))
        #expect(try Support.run(DivisionOperator(), [right, left]) == Tensor(shape: [1, 2, 1, 2], scalars: [10, 5, 20 / 3, 5]))
    }

    /// `[batch, 1, H, W]` spreads over every channel of `[batch, C, H, W]` (a spatial mask).
    @Test func broadcastingAlongTheChannelAxis() throws {
        let map = Tensor(shape: [2, 3, 1, 2], scalars: (1...12).map(Float.init))
        let mask = Tensor(shape: [2, 1, 1, 2], scalars: [1, 0, -1, 2])
        let expected = Tensor(shape: [2, 3, 1, 2], scalars: [1, 0, 3, 0, 5, 0, -7, 16, -9, 20, -11, 24])
        #expect(try Support.run(MultiplicationOperator(), [map, mask]) == expected)
        #expect(try Support.run(MultiplicationOperator(), [mask, map]) == expected)
        #expect(try Support.run(AdditionOperator(), [mask, map, mask])
                == Tensor(shape: [2, 3, 1, 2], scalars: [3, 2, 5, 4, 7, 6, 5, 12, 7, 14, 9, 16]))
        #expect(try Support.outputShape(SubtractionOperator(), [Support.batched(1, 4, 4), Support.batched(5, 1, 4)])
                == Support.batched(5, 4, 4))
        // The mask's gradient sums over the channels it was spread along.
        let gradients = try Support.inputGradients(MultiplicationOperator(), [map, mask],
                                                   outputGradient: Tensor(repeating: 1, shape: [2, 3, 1, 2]))
        #expect(gradients[1] == Tensor(shape: [2, 1, 1, 2], scalars: [1 + 3 + 5, 2 + 4 + 6, 7 + 9 + 11, 8 + 10 + 12]))
    }

    @Test func divisionByZeroFollowsIEEE() throws {
        let output = try Support.run(DivisionOperator(), [Tensor(shape: [1, 4], scalars: [1, -1, 0, 6]),
                                                          Tensor(shape: [1, 4], scalars: [0, 0, 0, -0.0])])
        #expect(output.scalars[0] == .infinity && output.scalars[1] == -.infinity)
        #expect(output.scalars[2].isNaN && output.scalars[3] == -.infinity)
    }

    @Test func twoInputGradients() throws {
        try GraphGradientChecking.check(SubtractionOperator(), inputShapes: [[2, 3, 2, 2], [2, 3, 2, 2]])
        try GraphGradientChecking.check(SubtractionOperator(), inputShapes: [[2, 1, 2, 2], [2, 3, 1, 2]])
        try GraphGradientChecking.check(MultiplicationOperator(), inputShapes: [[2, 1, 2, 2], [2, 3, 2, 2]])
        try GraphGradientChecking.check(AdditionOperator(), inputShapes: [[2, 3, 2, 2], [1, 1, 2, 1], [2, 1, 1, 1]])
        // a / (b² + 1): the divisor stays away from zero; b is spread over the channels.
        let graph = Graph(
            name: "divide", inputs: [ValueInfo(name: "a", shape: .batched([3, 2, 2])), ValueInfo(name: "b", shape: .batched([1, 2, 2]))],
            outputs: ["quotient"], nodes: [
                Node(name: "square", operatorType: "Mul", inputs: ["b", "b"], outputs: ["square"]),
                Node(name: "shift", operatorType: "Add", inputs: ["square"], outputs: ["shift"],
                     attributes: AdditionOperator(constant: Self.constant([])).attributes),
                Node(name: "quotient", operatorType: "Div", inputs: ["a", "shift"], outputs: ["quotient"]),
            ])
        try GraphGradientChecking.check(graph: graph, inputShapes: [[2, 3, 2, 2], [2, 1, 2, 2]], configure: { network in
            network.parameter(named: "shift.constant")!.value = Tensor(shape: [], scalars: [1])
        })
    }

    // MARK: Constant operands

    @Test func constantsBroadcastRightAligned() throws {
        let input = Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        // A scalar, a [3] row and a [2, 1] column (one per channel), right-aligned.
        #expect(try Self.run(AdditionOperator(constant: Self.constant([])), constant: Tensor(shape: [], scalars: [10]), on: input)
                == Tensor(shape: [2, 2, 3], scalars: (10..<22).map(Float.init)))
        #expect(try Self.run(MultiplicationOperator(constant: Self.constant([3])), constant: Tensor(shape: [3], scalars: [1, 0, -1]),
                             on: input)
                == Tensor(shape: [2, 2, 3], scalars: [0, 0, -2, 3, 0, -5, 6, 0, -8, 9, 0, -11]))
        #expect(try Self.run(SubtractionOperator(constant: Self.constant([2, 1])), constant: Tensor(shape: [2, 1], scalars: [1, 100]),
                             on: input)
                == Tensor(shape: [2, 2, 3], scalars: [-1, 0, 1, -97, -96, -95, 5, 6, 7, -91, -90, -89]))
        // Equal ranks: axis 0 of the constant is 1, so every sample shares it.
        #expect(try Self.run(DivisionOperator(constant: Self.constant([1, 2, 1])), constant: Tensor(shape: [1, 2, 1], scalars: [2, -4]),
                             on: input)
                == Tensor(shape: [2, 2, 3], scalars: [0, 0.5, 1, -0.75, -1, -1.25, 3, 3.5, 4, -2.25, -2.5, -2.75]))
    }

    @Test func constantFirstReversesSubtractionAndDivision() throws {
        let input = Tensor(shape: [1, 3], scalars: [1, 2, 4])
        let eight = Tensor(shape: [1], scalars: [8])
        #expect(try Self.run(SubtractionOperator(constant: Self.constant([1], first: true)), constant: eight, on: input)
                == Tensor(shape: [1, 3], scalars: [7, 6, 4]))
        #expect(try Self.run(SubtractionOperator(constant: Self.constant([1])), constant: eight, on: input)
                == Tensor(shape: [1, 3], scalars: [-7, -6, -4]))
        #expect(try Self.run(DivisionOperator(constant: Self.constant([1], first: true)), constant: eight, on: input)
                == Tensor(shape: [1, 3], scalars: [8, 4, 2]))
        #expect(try Self.run(DivisionOperator(constant: Self.constant([1])), constant: eight, on: input)
                == Tensor(shape: [1, 3], scalars: [0.125, 0.25, 0.5]))
        let zeros = try Self.run(DivisionOperator(constant: Self.constant([], first: true)), constant: Tensor(shape: [], scalars: [-1]),
                                 on: Tensor(shape: [1, 2], scalars: [0, -0.0]))
        #expect(zeros.scalars == [-.infinity, .infinity])
    }

    /// Constants start at the operation's identity, so a fresh node passes its input through.
    @Test func constantsStartAtTheIdentity() throws {
        let input = Tensor(shape: [2, 3], scalars: [1, -2, 3, 0.5, 5, -6])
        for op: any ElementwiseArithmetic in [AdditionOperator(constant: Self.constant([3])), SubtractionOperator(constant: Self.constant([])),
                                             MultiplicationOperator(constant: Self.constant([1, 3])), DivisionOperator(constant: Self.constant([3]))] {
            #expect(try Support.run(op, [input]) == input, "\(op.typeName)")
            #expect(op.weights == [WeightDeclaration(name: "constant", shape: op.constant!.shape, role: .other)])
            #expect(op.inputCount == 1...1)
        }
    }

    @Test func constantShapes() throws {
        let batched = ValueShape([.batch, .fixed(1), .fixed(4)])
        // The constant widens axis 1 of the input; axis 0 stays the input's.
        #expect(try Support.outputShape(MultiplicationOperator(constant: Self.constant([3, 1])), [batched])
                == ValueShape([.batch, .fixed(3), .fixed(4)]))
        #expect(try Support.outputShape(AdditionOperator(constant: Self.constant([1, 3, 4])), [batched])
                == ValueShape([.batch, .fixed(3), .fixed(4)]))
        let fixed = ValueShape([.fixed(3), .fixed(4)])
        #expect(try Support.outputShape(AdditionOperator(constant: Self.constant([3, 4])), [fixed]) == fixed)
        #expect(try Support.outputShape(AdditionOperator(constant: Self.constant([1, 4])), [fixed]) == fixed)

        let sampled = #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(constant: Self.constant([2, 1, 4])), [batched])
        }
        #expect(sampled?.message == "the constant [2, 1, 4] has 2 on axis 0, the input batch; it must be 1 or equal")
        #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(constant: Self.constant([4, 4])), [fixed])
        }
        let rank = #expect(throws: OperatorError.self) {
            try Support.outputShape(AdditionOperator(constant: Self.constant([1, 1, 1, 4])), [batched])
        }
        #expect(rank?.message == "the constant [1, 1, 1, 4] has rank 4, more than the input's 3")
        let misfit = #expect(throws: OperatorError.self) {
            try Support.outputShape(SubtractionOperator(constant: Self.constant([3])), [batched])
        }
        #expect(misfit?.message == "the constant [3] does not broadcast against the input [batch, 1, 4]")
    }

    @Test func constantAttributes() throws {
        let op = DivisionOperator(constant: Self.constant([2, 1], first: true))
        #expect(op.attributes == ["constant": .int(1), "constant_shape": .ints([2, 1]), "constant_first": .int(1)])
        #expect(AdditionOperator(constant: Self.constant([3])).attributes == ["constant": .int(1), "constant_shape": .ints([3])])
        // Without a constant every attribute has its default (a file leaves them out).
        #expect(SubtractionOperator().attributes == ["constant": .int(0), "constant_shape": .ints([]), "constant_first": .int(0)])
        #expect(MultiplicationOperator().attributes == ["constant": .int(0), "constant_shape": .ints([])])
        let defaults = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "scale", operatorType: "Mul", inputs: ["x"], outputs: ["y"], attributes: ["constant": .int(1)]))
        #expect((defaults as? MultiplicationOperator)?.constant == Self.constant([]))

        func rejection(_ type: String, _ attributes: Attributes) -> String? {
            do {
                _ = try OperatorRegistry.standard.makeOperator(for: Node(name: "n", operatorType: type, inputs: ["x"], outputs: ["y"],
                                                                         attributes: attributes))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(rejection("Sub", ["constant_shape": .ints([3])])?.contains("constant_shape and constant_first need constant = 1") == true)
        #expect(rejection("Div", ["constant_first": .int(1)])?.contains("need constant = 1") == true)
        #expect(rejection("Add", ["constant": .int(1), "constant_first": .int(1)])?.contains("unknown attribute 'constant_first'") == true)
        #expect(rejection("Mul", ["constant": .int(1), "constant_shape": .ints([0, 3])])?.contains("positive sizes") == true)
        #expect(rejection("Add", ["constant": .int(2)])?.contains("must be 0 or 1") == true)

        var single = GraphBuilder(name: "two-with-constant", inputShape: [3])
        single.add("sum", AdditionOperator(constant: Self.constant([3])), single.input, single.input)
        #expect(throws: GraphError.invalidNode(node: "sum", type: "Add", reason: "takes 1 input(s), got 2")) {
            _ = try ResolvedGraph(single.finish(), registry: .standard)
        }
    }

    @Test func constantGradients() throws {
        try GraphGradientChecking.check(AdditionOperator(constant: Self.constant([3, 1, 1])), inputShapes: [[2, 3, 2, 2]])
        try GraphGradientChecking.check(SubtractionOperator(constant: Self.constant([], first: true)), inputShapes: [[2, 3]])
        try GraphGradientChecking.check(SubtractionOperator(constant: Self.constant([2])), inputShapes: [[2, 3, 2]])
        try GraphGradientChecking.check(MultiplicationOperator(constant: Self.constant([1, 3, 1, 2])), inputShapes: [[2, 3, 2, 2]],
                                        configure: { network in
            network.parameter(named: "node.constant")!.value = Tensor(shape: [1, 3, 1, 2], scalars: [0.5, -1, 2, 1.5, -0.25, 3])
        })
        // The constant widens the input's channel axis: its gradient sums over nothing, the
        // input's over the channels.
        try GraphGradientChecking.check(MultiplicationOperator(constant: Self.constant([3, 1])), inputShapes: [[2, 1, 4]],
                                        configure: { network in
            network.parameter(named: "node.constant")!.value = Tensor(shape: [3, 1], scalars: [0.5, -1, 2])
        })
        try GraphGradientChecking.check(DivisionOperator(constant: Self.constant([2])), inputShapes: [[2, 3, 2]], configure: { network in
            network.parameter(named: "node.constant")!.value = Tensor(shape: [2], scalars: [1.5, -2])
        })
    }

    /// `c / (x² + 1)`: the divisor stays away from zero.
    @Test func constantFirstDivisionGradient() throws {
        var builder = GraphBuilder(name: "reciprocal", inputShape: [3, 2])
        let square = builder.add("square", MultiplicationOperator(), builder.input, builder.input)
        let shifted = builder.add("shift", AdditionOperator(constant: Self.constant([])), square)
        builder.add("reciprocal", DivisionOperator(constant: Self.constant([3, 1], first: true)), shifted)
        try GraphGradientChecking.check(graph: builder.finish(), inputShapes: [[2, 3, 2]], configure: { network in
            network.parameter(named: "shift.constant")!.value = Tensor(shape: [], scalars: [1])
            network.parameter(named: "reciprocal.constant")!.value = Tensor(shape: [3, 1], scalars: [2, -1, 0.5])
        })
    }

    @Test func operationCounts() {
        let shapes = [[2, 3]]
        #expect(AdditionOperator(constant: Self.constant([3])).operationCount(inputShapes: shapes, outputShapes: shapes)
                == OperationCount(additions: 6))
        #expect(SubtractionOperator().operationCount(inputShapes: shapes + shapes, outputShapes: shapes) == OperationCount(additions: 6))
        #expect(DivisionOperator().operationCount(inputShapes: shapes + shapes, outputShapes: shapes) == OperationCount(transcendentals: 6))
    }

    /// The coupling of a constant depends on which of its axes meets the channel axis 1.
    @Test func channelCouplingOfConstants() {
        let image = [ValueShape([.batch, .fixed(3), .fixed(4), .fixed(5)])]
        let perChannel = MultiplicationOperator(constant: Self.constant([3, 1, 1]))
        #expect(perChannel.channelCoupling(inputShapes: image) == .elementwise(perChannel: [WeightAxis("constant", axis: 0)]))
        // Without the input's rank a per-channel constant is opaque; a scalar-like one is not.
        #expect(perChannel.channelCoupling == .opaque)
        #expect(AdditionOperator(constant: Self.constant([1, 1])).channelCoupling == .elementwise(perChannel: []))
        #expect(AdditionOperator(constant: Self.constant([1, 3, 1, 1])).channelCoupling(inputShapes: image)
                == .elementwise(perChannel: [WeightAxis("constant", axis: 1)]))
        // A row along the width, or a constant of rank 2 (the last two axes), does not meet the channels.
        #expect(AdditionOperator(constant: Self.constant([5])).channelCoupling(inputShapes: image) == .elementwise(perChannel: []))
        #expect(AdditionOperator(constant: Self.constant([4, 5])).channelCoupling(inputShapes: image) == .elementwise(perChannel: []))
        #expect(AdditionOperator(constant: Self.constant([1, 4, 5])).channelCoupling(inputShapes: image) == .elementwise(perChannel: []))
        // [batch, features]: a [features] constant is per channel.
        #expect(SubtractionOperator(constant: Self.constant([6])).channelCoupling(inputShapes: [Support.batched(6)])
                == .elementwise(perChannel: [WeightAxis("constant", axis: 0)]))
        // Resizing slices the channel axis only.
        let resized = perChannel.resizingChannels(input: 2, output: 2, inputShapes: image) as? MultiplicationOperator
        #expect(resized?.constant == Self.constant([2, 1, 1]))
        let row = AdditionOperator(constant: Self.constant([5])).resizingChannels(input: 2, output: 2, inputShapes: image)
        #expect((row as? AdditionOperator)?.constant == Self.constant([5]))
    }

    /// Every op this change adds is registered and rebuilds itself from its attributes.
    @Test func registeredAndRoundTrip() throws {
        let ops: [any Operator] = [
            SubtractionOperator(), DivisionOperator(), AdditionOperator(constant: Self.constant([3, 1])),
            SubtractionOperator(constant: Self.constant([], first: true)), MultiplicationOperator(constant: Self.constant([1, 4, 1])),
            DivisionOperator(constant: Self.constant([2])),
        ]
        for op in ops {
            let node = Node(name: "node", operatorType: op.typeName, inputs: ["x"], outputs: ["y"], attributes: op.attributes)
            let rebuilt = try OperatorRegistry.standard.makeOperator(for: node)
            #expect(type(of: rebuilt) == type(of: op))
            #expect(rebuilt.attributes == op.attributes)
        }
    }
}
