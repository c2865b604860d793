import ShrinkTensor
import Testing
@testable import ShrinkNN

/// Runs single ops and builds the small graphs the element-wise, activation and shape op tests
/// share.
enum ElementwiseOperatorTestSupport {
    /// The first output of `op` alone on `inputs` (inputs named `x0`, `x1`, …).
    static func run(_ op: some Operator, _ inputs: [Tensor], mode: ForwardMode = .inference) throws -> Tensor {
        let network = try network(op, inputShapes: inputs.map(\.shape))
        let named = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ("x\($0.offset)", $0.element) })
        return network.forward(inputs: named, mode: mode)["y"]!
    }

    /// A network of `op` alone over inputs of these batched shapes.
    static func network(_ op: some Operator, inputShapes: [[Int]]) throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: 1)
        return try GraphNetwork(graph: GraphGradientChecking.singleNodeGraph(op, inputShapes: inputShapes), generator: &generator)
    }

    /// The input gradients of `op` alone after a training forward on `inputs`, for the output
    /// gradient `outputGradient`.
    static func inputGradients(_ op: some Operator, _ inputs: [Tensor], outputGradient: Tensor) throws -> [Tensor] {
        let network = try network(op, inputShapes: inputs.map(\.shape))
        let names = inputs.indices.map { "x\($0)" }
        _ = network.forward(inputs: Dictionary(uniqueKeysWithValues: zip(names, inputs)), mode: .training)
        let gradients = network.backward(outputGradients: ["y": outputGradient], inputGradients: Set(names))
        return names.map { gradients[$0]! }
    }

    /// The output shape `op` infers for these input shapes.
    static func outputShape(_ op: some Operator, _ inputShapes: [ValueShape]) throws(OperatorError) -> ValueShape {
        try op.outputShapes(for: inputShapes)[0]
    }

    /// `[batch] + sample` with fixed sizes.
    static func batched(_ sample: Int...) -> ValueShape { .batched(sample) }

    /// A graph `input → Add(input × scale) → op`: the op sees inputs drawn from N(0, scale²),
    /// so a gradient check reaches the outer pieces of piecewise activations.
    static func scaledGraph(_ op: some Operator, sample: [Int], scale: Int) -> Graph {
        var builder = GraphBuilder(name: "scaled", inputShape: sample)
        let scaled = builder.add("scale", AdditionOperator(), inputs: Array(repeating: builder.input, count: scale))
        builder.add("activation", op, scaled)
        return builder.finish()
    }

    /// The inputs `GraphGradientChecking.check` draws with `seed` for a graph without weights
    /// or kernel randomness: the first normal samples of the seed's generator, input by input.
    static func checkedInputs(seed: UInt64, shapes: [[Int]]) -> [Tensor] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return shapes.map { Tensor.randomNormal(shape: $0, using: &generator) }
    }

    /// The first seed from 1 whose checked inputs all lie farther than `margin` from every
    /// kink (kinks given in input units), so finite differences never straddle one.
    static func kinkFreeSeed(shapes: [[Int]], kinks: [Float], margin: Float) -> UInt64 {
        var seed: UInt64 = 1
        while !checkedInputs(seed: seed, shapes: shapes).allSatisfy({ tensor in
            tensor.scalars.allSatisfy { value in kinks.allSatisfy { abs(value - $0) > margin } }
        }) {
            seed += 1
        }
        return seed
    }

    /// Element-wise closeness of `actual` to `expected`.
    static func isClose(_ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5) -> Bool {
        actual.scalars.count == expected.count && (shape.map { $0 == actual.shape } ?? true)
            && zip(actual.scalars, expected).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }
}
