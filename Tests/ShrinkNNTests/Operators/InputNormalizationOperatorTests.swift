import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// InputNormalization: values per channel, list lengths, shapes, errors and gradients.
@Suite struct InputNormalizationOperatorTests {
    @Test func normalizesEachChannel() throws {
        // [1, 2, 1, 2]: channel 0 holds 51 and 102, channel 1 holds 255 and 0 (0…255 pixels).
        let input = Tensor(shape: [1, 2, 1, 2], scalars: [51, 102, 255, 0])
        let op = InputNormalizationOperator(scale: 1.0 / 255, mean: [0.5, 0.25], standardDeviation: [0.25, 0.5])
        let output = try Support.run(op, [input])
        let expected: [Float] = [(51 * (1.0 / 255) - 0.5) / 0.25, (102 * (1.0 / 255) - 0.5) / 0.25,
                                 (255 * (1.0 / 255) - 0.25) / 0.5, (0 - 0.25) / 0.5]
        #expect(output == Tensor(shape: [1, 2, 1, 2], scalars: expected))
        // One value for every channel, and the defaults (0 and 1).
        #expect(try Support.run(InputNormalizationOperator(scale: 2, mean: [1], standardDeviation: [4]), [input])
                == Tensor(shape: [1, 2, 1, 2], scalars: [25.25, 50.75, 127.25, -0.25]))
        #expect(try Support.run(InputNormalizationOperator(scale: 0.5), [input]) == Tensor(shape: [1, 2, 1, 2], scalars: [25.5, 51, 127.5, 0]))
        #expect(try Support.run(InputNormalizationOperator(mean: [1, 2]), [Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])])
                == Tensor(shape: [2, 2], scalars: [0, 0, 2, 2]))
    }

    @Test func shapesAndErrors() throws {
        let image = Support.batched(3, 4, 4)
        #expect(try Support.outputShape(InputNormalizationOperator(mean: [0.4, 0.5, 0.6], standardDeviation: [0.2]), [image]) == image)
        let channels = #expect(throws: OperatorError.self) {
            try Support.outputShape(InputNormalizationOperator(mean: [0.4, 0.5]), [image])
        }
        #expect(channels?.message == "2 per-channel values for 3 channels on axis 1")
        #expect(throws: OperatorError.self) { try Support.outputShape(InputNormalizationOperator(), [ValueShape([.batch])]) }

        func rejection(_ attributes: Attributes) -> String? {
            do {
                _ = try OperatorRegistry.standard.makeOperator(
                    for: Node(name: "n", operatorType: "InputNormalization", inputs: ["x"], outputs: ["y"], attributes: attributes))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(rejection(["standard_deviation": .floats([1, 0, 1])])?.contains("finite and nonzero") == true)
        #expect(rejection(["mean": .floats([1, 2]), "standard_deviation": .floats([1, 2, 3])])?.contains("2 mean values but 3") == true)
        #expect(rejection(["scale": .float(.infinity)])?.contains("scale must be finite") == true)
        let defaults = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "n", operatorType: "InputNormalization", inputs: ["x"], outputs: ["y"]))
        #expect(defaults.attributes == ["scale": .float(1), "mean": .floats([]), "standard_deviation": .floats([])])
        let op = InputNormalizationOperator(scale: 0.5, mean: [1, 2], standardDeviation: [3, 4])
        let rebuilt = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "n", operatorType: "InputNormalization", inputs: ["x"], outputs: ["y"], attributes: op.attributes))
        #expect(rebuilt.attributes == op.attributes)
    }

    @Test func couplingAndCounts() {
        #expect(InputNormalizationOperator(mean: [0.5], standardDeviation: [0.2]).channelCoupling == .elementwise(perChannel: []))
        #expect(InputNormalizationOperator(mean: [0.5, 0.4]).channelCoupling == .opaque)
        #expect(InputNormalizationOperator().operationCount(inputShapes: [[2, 3]], outputShapes: [[2, 3]])
                == OperationCount(multiplies: 6, additions: 6, transcendentals: 6))
    }

    @Test func gradients() throws {
        try GraphGradientChecking.check(InputNormalizationOperator(scale: 0.5, mean: [0.1, -0.2, 0.3], standardDeviation: [0.5, 2, 4]),
                                        inputShapes: [[2, 3, 2, 2]])
        try GraphGradientChecking.check(InputNormalizationOperator(scale: 3, mean: [1], standardDeviation: [-0.5]), inputShapes: [[2, 4]])
    }
}
