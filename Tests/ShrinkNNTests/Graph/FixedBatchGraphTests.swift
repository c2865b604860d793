import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Graphs whose input has a fully fixed shape such as `[3, 4, 5]` (the ONNX node tests'):
/// the first axis plays the batch.
@Suite struct FixedBatchGraphTests {
    /// `x [3, 4, 5]` → Add a `[5]` constant → Mul by a `[1, 4, 1]` constant.
    static var graph: Graph {
        Graph(name: "fixed", inputs: [ValueInfo(name: "x", shape: ValueShape([.fixed(3), .fixed(4), .fixed(5)]))], outputs: ["scaled"],
              nodes: [
                  Node(name: "shifted", operatorType: "Add", inputs: ["x"], outputs: ["shifted"],
                       attributes: AdditionOperator(constant: ConstantOperand(shape: [5])).attributes),
                  Node(name: "scaled", operatorType: "Mul", inputs: ["shifted"], outputs: ["scaled"],
                       attributes: MultiplicationOperator(constant: ConstantOperand(shape: [1, 4, 1])).attributes),
              ])
    }

    static let shift = Tensor(shape: [5], scalars: [0, 10, 20, 30, 40])
    static let scale = Tensor(shape: [1, 4, 1], scalars: [1, -1, 2, 0.5])
    static let input = Tensor(shape: [3, 4, 5], scalars: (0..<60).map(Float.init))

    /// `(x + shift[w]) · scale[h]`, computed element by element.
    static var expected: Tensor {
        var result = input
        for sample in 0..<3 {
            for row in 0..<4 {
                for column in 0..<5 {
                    result[sample, row, column] = (input[sample, row, column] + shift[column]) * scale[0, row, 0]
                }
            }
        }
        return result
    }

    static func network() throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: 1)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        network.parameter(named: "shifted.constant")!.value = shift
        network.parameter(named: "scaled.constant")!.value = scale
        return network
    }

    @Test func resolvesWithTheFixedFirstAxis() throws {
        let resolved = try ResolvedGraph(Self.graph, registry: .standard)
        let fixed = ValueShape([.fixed(3), .fixed(4), .fixed(5)])
        #expect(resolved.shapes == ["x": fixed, "shifted": fixed, "scaled": fixed])
        #expect(resolved.sampleInputShape == [4, 5] && resolved.sampleOutputShape == [4, 5])
        #expect(resolved.operationCountPerSample == [OperationCount(additions: 60), OperationCount(multiplies: 60)])
        #expect(resolved.weights.map(\.declaration.shape) == [[5], [1, 4, 1]])
    }

    @Test func runsInGraphNetwork() throws {
        let network = try Self.network()
        #expect(network.forward(inputs: ["x": Self.input], mode: .inference)["scaled"] == Self.expected)
        // As a Layer, too (the [3, 4, 5] input is [batch 3] + its sample shape [4, 5]).
        #expect(network.forward(Self.input, mode: .inference) == Self.expected)
    }

    @Test func gradientsThroughConstants() throws {
        try GraphGradientChecking.check(graph: Self.graph, inputShapes: [[3, 4, 5]], configure: { network in
            network.parameter(named: "scaled.constant")!.value = Self.scale
        })
    }
}
