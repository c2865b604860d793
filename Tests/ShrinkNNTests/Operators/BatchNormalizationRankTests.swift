import ShrinkTensor
import Testing
@testable import ShrinkNN

/// BatchNormalization on `[batch, C]` (BatchNorm1d) and `[batch, C, length]` inputs.
@Suite struct BatchNormalizationRankTests {
    @Test func shapesOfEveryRank() throws {
        let op = BatchNormalizationOperator(channels: 3)
        for shape in [ValueShape.batched([3]), .batched([3, 5]), .batched([3, 4, 4])] {
            #expect(try op.outputShapes(for: [shape]) == [shape])
        }
        let wrongChannels = #expect(throws: OperatorError.self) { try op.outputShapes(for: [.batched([4])]) }
        #expect(wrongChannels?.message == "expects [batch, 3], [batch, 3, length] or [batch, 3, height, width]")
        #expect(throws: OperatorError.self) { try op.outputShapes(for: [.batched([3, 2, 2, 2])]) }
        #expect(throws: OperatorError.self) { try op.outputShapes(for: [ValueShape([.batch])]) }
    }

    /// `[batch, C]` normalizes each feature over the batch, exactly as `[batch, C, 1, 1]`.
    @Test func featuresNormalizeOverTheBatch() throws {
        let input = Tensor(shape: [2, 2], scalars: [1, 10, 3, 30])
        let output = try ElementwiseOperatorTestSupport.run(BatchNormalizationOperator(channels: 2), [input], mode: .training)
        // Feature 0: mean 2, variance 1; feature 1: mean 20, variance 100.
        let expected: [Float] = [-1 / (1 + 1e-5 as Float).squareRoot(), -10 / (100 + 1e-5 as Float).squareRoot(),
                                 1 / (1 + 1e-5 as Float).squareRoot(), 10 / (100 + 1e-5 as Float).squareRoot()]
        #expect(ElementwiseOperatorTestSupport.isClose(output, expected, shape: [2, 2]))

        var generator = SeededRandomNumberGenerator(seed: 5)
        let features = Tensor.randomNormal(shape: [4, 3], using: &generator)
        let matrix = try ElementwiseOperatorTestSupport.run(BatchNormalizationOperator(channels: 3), [features], mode: .training)
        let planes = try ElementwiseOperatorTestSupport.run(BatchNormalizationOperator(channels: 3), [features.reshaped([4, 3, 1, 1])],
                                                            mode: .training)
        #expect(matrix.scalars == planes.scalars)
    }

    @Test func gradients() throws {
        try GraphGradientChecking.check(BatchNormalizationOperator(channels: 3), inputShapes: [[4, 3]], epsilon: 1e-3)
        try GraphGradientChecking.check(BatchNormalizationOperator(channels: 2), inputShapes: [[3, 2, 4]], epsilon: 1e-3)
    }
}
