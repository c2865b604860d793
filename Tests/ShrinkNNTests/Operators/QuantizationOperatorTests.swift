import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// QuantizeLinear and DequantizeLinear against values of the ONNX reference implementation
/// (onnx 1.16.2, `onnx.reference`, opset 19), computed once and pasted here.
@Suite struct QuantizationOperatorTests {
    /// Ties of `x / scale` (2.5, 3.5, −0.5, 4.5, −2.5) and both saturations.
    static let tieInput = Tensor(shape: [1, 8], scalars: [1.25, 1.75, -0.25, 0.75, 200, -100, 2.25, -1.25])

    @Test func quantizeRoundsHalfToEvenAndSaturates() throws {
        let unsigned = QuantizeLinearOperator(scales: [0.5], zeroPoints: [10])
        #expect(try Support.run(unsigned, [Self.tieInput]).scalars == [12, 14, 10, 12, 255, 0, 14, 8])
        let signed = QuantizeLinearOperator(scales: [0.5], zeroPoints: [-3], isSigned: true)
        #expect(try Support.run(signed, [Self.tieInput]).scalars == [-1, 1, -3, -1, 127, -128, 1, -5])
        // No zero point is 0; infinities saturate and nan takes the lowest code.
        let special = Tensor(shape: [1, 4], scalars: [.infinity, -.infinity, .nan, 0.5])
        #expect(try Support.run(QuantizeLinearOperator(scales: [1]), [special]).scalars == [255, 0, 0, 0])
        #expect(try Support.run(QuantizeLinearOperator(scales: [1], isSigned: true), [special]).scalars == [127, -128, -128, 0])
    }

    @Test func quantizePerAxis() throws {
        let input = Tensor(shape: [2, 3, 2], scalars: (-6..<6).map { Float($0) * 0.75 })
        let op = QuantizeLinearOperator(scales: [0.5, 1, 2], zeroPoints: [0, 1, 2], axis: 1)
        #expect(try Support.run(op, [input]).scalars == [0, 0, 0, 0, 1, 2, 0, 2, 3, 3, 4, 4])
        // Axis −2 is axis 1 of a rank-3 input.
        #expect(try Support.run(QuantizeLinearOperator(scales: [0.5, 1, 2], zeroPoints: [0, 1, 2], axis: -2), [input]).scalars
                == [0, 0, 0, 0, 1, 2, 0, 2, 3, 3, 4, 4])
    }

    /// Straight-through: `∂y / scale` where the code did not saturate (bounds included), else 0.
    @Test func quantizeGradientIsStraightThrough() throws {
        let op = QuantizeLinearOperator(scales: [0.5], zeroPoints: [10])
        let input = Tensor(shape: [1, 5], scalars: [1, -5, -5.25, 122.5, 123])
        let gradients = try Support.inputGradients(op, [input], outputGradient: Tensor(shape: [1, 5], scalars: [1, 2, 3, 4, 5]))
        // Codes before saturation: 12; 0 and 255 (the bounds, inside); −5.25 / 0.5 = −10.5 rounds
        // to −10, code 0 (inside); 256 (saturated).
        #expect(gradients[0].scalars == [2, 4, 6, 8, 0])
        let perAxis = QuantizeLinearOperator(scales: [0.5, 0.25], axis: 1, isSigned: true)
        let axisGradients = try Support.inputGradients(perAxis, [Tensor(shape: [1, 2, 2], scalars: [1, 100, 1, -100])],
                                                       outputGradient: Tensor(repeating: 1, shape: [1, 2, 2]))
        #expect(axisGradients[0].scalars == [2, 0, 4, 0])
    }

    /// `DequantizeLinear ∘ QuantizeLinear` passes gradients unchanged inside the range.
    @Test func fakeQuantizationPassesGradients() throws {
        var builder = GraphBuilder(name: "fake-quantize", inputShape: [2, 3])
        let codes = builder.add("quantize", QuantizeLinearOperator(scales: [0.25, 0.5], zeroPoints: [3, 4], axis: 1), builder.input)
        builder.add("dequantize", DequantizeLinearOperator(scales: [0.25, 0.5], zeroPoints: [3, 4], axis: 1), codes)
        var generator = SeededRandomNumberGenerator(seed: 3)
        let network = try GraphNetwork(graph: builder.finish(), generator: &generator)
        let input = Tensor(shape: [1, 2, 3], scalars: [0.3, -0.1, 1.13, 2, -200, 0.7])
        let output = network.forward(inputs: ["input": input], mode: .training)["dequantize"]!
        #expect(output.scalars == [0.25, 0, 1.25, 2, -2, 0.5])
        let gradient = network.backward(outputGradients: ["dequantize": Tensor(repeating: 1, shape: [1, 2, 3])], inputGradients: ["input"])
        #expect(gradient["input"]?.scalars == [1, 1, 1, 1, 0, 1])
    }

    @Test func dequantize() throws {
        let codes = Tensor(shape: [1, 5], scalars: [-128, -3, 0, 5, 127])
        let output = try Support.run(DequantizeLinearOperator(scales: [0.1], zeroPoints: [-3]), [codes])
        #expect(output.scalars == [-12.5, 0, 0.30000001192092896, 0.800000011920929, 13])
        let perAxis = DequantizeLinearOperator(scales: [0.5, 0.25, 2], zeroPoints: [0, 10, 128], axis: 1)
        let input = Tensor(shape: [2, 3, 2], scalars: (0..<12).map { Float($0 * 20) })
        #expect(try Support.run(perAxis, [input]).scalars == [0, 10, 7.5, 12.5, -96, -56, 60, 70, 37.5, 42.5, 144, 184])
        // int32 codes (a quantized bias) with a large zero point.
        #expect(try Support.run(DequantizeLinearOperator(scales: [0.5], zeroPoints: [100_000]), [Tensor(shape: [1, 1], scalars: [100_004])])
                .scalars == [2])
    }

    @Test func dequantizeGradients() throws {
        try GraphGradientChecking.check(DequantizeLinearOperator(scales: [0.5], zeroPoints: [3]), inputShapes: [[2, 3]])
        try GraphGradientChecking.check(DequantizeLinearOperator(scales: [0.5, 2, -1], zeroPoints: [1, 2, 3], axis: 1),
                                        inputShapes: [[2, 3, 2]])
    }

    @Test func shapesAttributesAndErrors() throws {
        let shape = Support.batched(3, 4)
        #expect(try Support.outputShape(QuantizeLinearOperator(scales: [1, 2, 3], axis: 1), [shape]) == shape)
        #expect(try Support.outputShape(DequantizeLinearOperator(scales: [1, 2, 3, 4], axis: -1), [shape]) == shape)
        let wrongCount = #expect(throws: OperatorError.self) {
            try Support.outputShape(QuantizeLinearOperator(scales: [1, 2], axis: 1), [shape])
        }
        #expect(wrongCount?.message == "2 scales for size 3 on axis 1 of [batch, 3, 4]")
        // Per-axis on the symbolic batch axis cannot be checked; on a fixed one it can.
        #expect(throws: OperatorError.self) { try Support.outputShape(QuantizeLinearOperator(scales: [1, 2], axis: 0), [shape]) }
        #expect(try Support.outputShape(QuantizeLinearOperator(scales: [1, 2], axis: 0), [ValueShape([.fixed(2), .fixed(3)])])
                == ValueShape([.fixed(2), .fixed(3)]))
        #expect(throws: OperatorError.self) { try Support.outputShape(QuantizeLinearOperator(scales: [1, 2], axis: 3), [shape]) }

        func rejection(_ type: String, _ attributes: Attributes) -> String? {
            do {
                _ = try OperatorRegistry.standard.makeOperator(for: Node(name: "n", operatorType: type, inputs: ["x"], outputs: ["y"],
                                                                         attributes: attributes))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(rejection("QuantizeLinear", [:])?.contains("missing required attribute 'scale'") == true)
        #expect(rejection("QuantizeLinear", ["scale": .floats([0])])?.contains("finite and nonzero") == true)
        #expect(rejection("QuantizeLinear", ["scale": .floats([1]), "zero_point": .ints([-1])])?.contains("zero point -1 is outside 0...255") == true)
        #expect(rejection("QuantizeLinear", ["scale": .floats([1]), "zero_point": .ints([128]), "signed": .int(1)])?
                    .contains("outside -128...127") == true)
        #expect(rejection("QuantizeLinear", ["scale": .floats([1, 2]), "zero_point": .ints([1, 2, 3])])?.contains("3 zero points for 2 scales") == true)
        #expect(rejection("DequantizeLinear", ["scale": .floats([])])?.contains("at least one value") == true)
        #expect(rejection("DequantizeLinear", ["scale": .floats([0]), "zero_point": .ints([-5])]) == nil)

        for op: any Operator in [QuantizeLinearOperator(scales: [0.5, 2], zeroPoints: [1, -2], axis: -1, isSigned: true),
                                 DequantizeLinearOperator(scales: [0.25], zeroPoints: [7], axis: 0)] {
            let rebuilt = try OperatorRegistry.standard.makeOperator(
                for: Node(name: "n", operatorType: op.typeName, inputs: ["x"], outputs: ["y"], attributes: op.attributes))
            #expect(rebuilt.attributes == op.attributes)
        }
        #expect(QuantizeLinearOperator(scales: [1]).channelCoupling == .elementwise(perChannel: []))
        #expect(DequantizeLinearOperator(scales: [1, 2]).channelCoupling == .opaque)
    }
}
