import Foundation
import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// The activations and softmaxes: values, attributes, counts and gradient checks. Piecewise
/// activations are checked on seeds whose inputs keep clear of every kink (by more than the
/// finite-difference step), and through `input × 4` so every piece is reached.
@Suite struct ActivationOperatorTests {
    /// The finite-difference step of the piecewise checks.
    static let step: Float = 1e-3

    private func values(_ op: some Operator, _ inputs: [Float]) throws -> [Float] {
        try Support.run(op, [Tensor(shape: [1, inputs.count], scalars: inputs)]).scalars
    }

    /// Gradient-checks `op` on `input × scale` for a seed whose inputs stay clear of `kinks`
    /// (in the op's input units), and checks the seed reaches every region between them.
    private func checkPiecewise(_ op: some Operator, kinks: [Float], scale: Int = 4,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let shape = [3, 8]
        let scaledKinks = kinks.map { $0 / Float(scale) }
        let seed = Support.kinkFreeSeed(shapes: [shape], kinks: scaledKinks, margin: 2 * Self.step)
        let inputs = Support.checkedInputs(seed: seed, shapes: [shape])[0].scalars
        let boundaries = [-Float.infinity] + scaledKinks.sorted() + [Float.infinity]
        for (lower, upper) in zip(boundaries, boundaries.dropFirst()) {
            #expect(inputs.contains { $0 > lower && $0 < upper }, "seed \(seed) misses (\(lower), \(upper))",
                    sourceLocation: sourceLocation)
        }
        try GraphGradientChecking.check(graph: Support.scaledGraph(op, sample: [8], scale: scale), inputShapes: [shape],
                                        seed: seed, epsilon: Self.step, sourceLocation: sourceLocation)
    }

    // MARK: Piecewise-linear

    @Test func clipBoundsValues() throws {
        #expect(try values(ClipOperator(minimum: -1, maximum: 2), [-3, -1, 0.5, 2, 5]) == [-1, -1, 0.5, 2, 2])
        #expect(try values(ClipOperator(minimum: 0, maximum: .greatestFiniteMagnitude), [-3, 7]) == [0, 7])
        let unbounded = try OperatorRegistry.standard.makeOperator(for: Node(name: "c", operatorType: "Clip", inputs: ["x"], outputs: ["y"]))
        #expect(try values(unbounded, [-1e30, 1e30]) == [-1e30, 1e30])
        let reversed = #expect(throws: OperatorError.self) {
            try ClipOperator(attributes: ["minimum": .float(2), "maximum": .float(1)])
        }
        #expect(reversed?.message == "minimum 2.0 must not exceed maximum 1.0")
        #expect(throws: OperatorError.self) { try ClipOperator(attributes: ["minimum": .float(.nan), "maximum": .float(1)]) }
    }

    @Test func clipGradients() throws {
        try checkPiecewise(ClipOperator(minimum: -1, maximum: 2), kinks: [-1, 2])
    }

    @Test func reLU6IsClipZeroSix() throws {
        let inputs: [Float] = [-1, 0, 3, 6, 7.5]
        #expect(try values(ReLU6Operator(), inputs) == [0, 0, 3, 6, 6])
        #expect(try values(ReLU6Operator(), inputs) == values(ClipOperator(minimum: 0, maximum: 6), inputs))
        try checkPiecewise(ReLU6Operator(), kinks: [0, 6])
    }

    @Test func leakyReLU() throws {
        #expect(try values(LeakyReLUOperator(alpha: 0.1), [-2, 0, 3]) == [-0.2, 0, 3])
        let defaulted = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "l", operatorType: "LeakyReLU", inputs: ["x"], outputs: ["y"]))
        #expect(Support.isClose(Tensor(shape: [2], scalars: try values(defaulted, [-100, 1])), [-1, 1]))
        #expect(throws: OperatorError.self) { try LeakyReLUOperator(attributes: ["alpha": .float(.infinity)]) }
        try checkPiecewise(LeakyReLUOperator(alpha: 0.1), kinks: [0], scale: 2)
    }

    @Test func hardSwishFollowsPyTorch() throws {
        let output = try values(HardSwishOperator(), [-4, -3, -1, 0, 1, 3, 4])
        #expect(Support.isClose(Tensor(shape: [7], scalars: output), [0, 0, -1.0 / 3, 0, 2.0 / 3, 3, 4]))
        try checkPiecewise(HardSwishOperator(), kinks: [-3, 3])
    }

    @Test func hardSigmoidFollowsONNX() throws {
        let output = try values(HardSigmoidOperator(), [-3, 0, 1, 3])
        #expect(Support.isClose(Tensor(shape: [4], scalars: output), [0, 0.5, 0.7, 1]))
        let pyTorch = try values(HardSigmoidOperator(alpha: 1.0 / 6, beta: 0.5), [-3, 0, 1.5, 3])
        #expect(Support.isClose(Tensor(shape: [4], scalars: pyTorch), [0, 0.5, 0.75, 1]))
        try checkPiecewise(HardSigmoidOperator(), kinks: [-2.5, 2.5])
    }

    // MARK: Smooth

    @Test func sigmoidIsStableAtTheExtremes() throws {
        let output = try values(SigmoidOperator(), [0, 2, -2, -100, 100])
        #expect(Support.isClose(Tensor(shape: [5], scalars: output), [0.5, 0.880797, 0.119203, 0, 1]))
        #expect(output.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        try GraphGradientChecking.check(SigmoidOperator(), inputShapes: [[3, 5]])
        try GraphGradientChecking.check(graph: Support.scaledGraph(SigmoidOperator(), sample: [6], scale: 3), inputShapes: [[2, 6]])
    }

    @Test func tanhValuesAndGradients() throws {
        let output = try values(TanhOperator(), [0, 1, -1, 20])
        #expect(Support.isClose(Tensor(shape: [4], scalars: output), [0, 0.7615942, -0.7615942, 1]))
        try GraphGradientChecking.check(TanhOperator(), inputShapes: [[3, 5]])
        try GraphGradientChecking.check(graph: Support.scaledGraph(TanhOperator(), sample: [6], scale: 2), inputShapes: [[2, 6]])
    }

    // MARK: Softmax

    @Test func softmaxAlongTheLastAxisIsStable() throws {
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096]
        #expect(Support.isClose(try Support.run(SoftmaxOperator(), [Tensor(shape: [1, 3], scalars: [1, 2, 3])]), expected))
        // Max subtraction: no overflow for large logits.
        #expect(Support.isClose(try Support.run(SoftmaxOperator(), [Tensor(shape: [1, 3], scalars: [1000, 1001, 1002])]), expected))
        let logarithms = try Support.run(LogSoftmaxOperator(), [Tensor(shape: [1, 3], scalars: [1001, 1002, 1003])])
        #expect(Support.isClose(logarithms, [-2.40760596, -1.40760596, -0.40760596]))
        let extreme = try Support.run(LogSoftmaxOperator(), [Tensor(shape: [1, 2], scalars: [0, -200])])
        #expect(Support.isClose(extreme, [0, -200]))
    }

    @Test func softmaxAlongAnInnerAxis() throws {
        // Axis 1 of [1, 2, 2]: each column is normalized.
        let input = Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 5])
        let output = try Support.run(SoftmaxOperator(axis: 1), [input])
        #expect(Support.isClose(output, [0.11920292, 0.04742587, 0.88079708, 0.95257413], shape: [1, 2, 2]))
        let logarithms = try Support.run(LogSoftmaxOperator(axis: -2), [input])
        #expect(Support.isClose(logarithms, output.scalars.map { log($0) }, shape: [1, 2, 2]))
    }

    @Test func softmaxAxisValidation() {
        let batch = #expect(throws: OperatorError.self) {
            try Support.outputShape(SoftmaxOperator(axis: 0), [Support.batched(3)])
        }
        #expect(batch?.message == "axis 0 is the batch axis 0; this op keeps the batch in place")
        let range = #expect(throws: OperatorError.self) {
            try Support.outputShape(LogSoftmaxOperator(axis: 2), [Support.batched(3)])
        }
        #expect(range?.message == "axis 2 is out of range for rank 2")
        #expect(throws: OperatorError.self) { try Support.outputShape(SoftmaxOperator(), [ValueShape([.batch])]) }
    }

    @Test func softmaxGradients() throws {
        try GraphGradientChecking.check(SoftmaxOperator(), inputShapes: [[3, 5]])
        try GraphGradientChecking.check(SoftmaxOperator(axis: 1), inputShapes: [[2, 3, 4]])
        try GraphGradientChecking.check(LogSoftmaxOperator(), inputShapes: [[3, 5]])
        try GraphGradientChecking.check(LogSoftmaxOperator(axis: 1), inputShapes: [[2, 3, 4]])
    }

    // MARK: Common properties

    @Test func operationCounts() {
        let shapes = [[2, 3, 4]], count = 24
        func counted(_ op: some Operator) -> OperationCount { op.operationCount(inputShapes: shapes, outputShapes: shapes) }
        #expect(counted(ClipOperator(minimum: 0, maximum: 1)) == OperationCount(comparisons: 2 * count))
        #expect(counted(ReLU6Operator()) == OperationCount(comparisons: 2 * count))
        #expect(counted(LeakyReLUOperator()) == OperationCount(multiplies: count, comparisons: count))
        #expect(counted(SigmoidOperator()) == OperationCount(additions: count, transcendentals: 2 * count))
        #expect(counted(TanhOperator()) == OperationCount(transcendentals: count))
        #expect(counted(HardSwishOperator()) == OperationCount(multiplies: 2 * count, additions: count, comparisons: 2 * count))
        #expect(counted(HardSigmoidOperator()) == OperationCount(multiplies: count, additions: count, comparisons: 2 * count))
        // Six rows of four along the last axis; eight rows of three along axis 1.
        #expect(counted(SoftmaxOperator()) == OperationCount(multiplies: count, additions: 2 * count, comparisons: count,
                                                            transcendentals: count + 6))
        #expect(counted(LogSoftmaxOperator(axis: 1)) == OperationCount(additions: 3 * count, comparisons: count,
                                                                       transcendentals: count + 8))
    }

    @Test func couplings() throws {
        let activations: [any Operator] = [ClipOperator(), ReLU6Operator(), LeakyReLUOperator(), SigmoidOperator(),
                                           TanhOperator(), HardSwishOperator(), HardSigmoidOperator()]
        for op in activations {
            #expect(op.channelCoupling == .elementwise(perChannel: []), "\(op.typeName)")
            #expect(op.resizingChannels(input: 4, output: 4)?.attributes == op.attributes)
            #expect(try op.outputShapes(for: [Support.batched(4, 2)]) == [Support.batched(4, 2)])
        }
        #expect(SoftmaxOperator().channelCoupling == .opaque)
        #expect(LogSoftmaxOperator().resizingChannels(input: 4, output: 4) == nil)
    }
}
