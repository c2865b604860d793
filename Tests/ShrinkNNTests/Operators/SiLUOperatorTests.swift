import Foundation
import ShrinkTensor
import Testing
@testable import ShrinkNN

@Suite struct SiLUOperatorTests {
    @Test func valuesMatchTheDefinition() throws {
        let inputs: [Float] = [-20, -2, -0.5, 0, 0.5, 2, 20]
        let output = try ElementwiseOperatorTestSupport.run(SiLUOperator(), [Tensor(shape: [1, inputs.count], scalars: inputs)])
        for (x, y) in zip(inputs, output.scalars) {
            let expected = Double(x) / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(y) - expected) < 1e-6 * max(1, abs(expected)), "SiLU(\(x)) = \(y), expected \(expected)")
        }
        #expect(SiLUOperator().channelCoupling == .elementwise(perChannel: []))
        let resolved = try ResolvedGraph(GraphGradientChecking.singleNodeGraph(SiLUOperator(), inputShapes: [[2, 3, 4]]), registry: .standard)
        #expect(resolved.operationCountPerSample[0] == OperationCount(multiplies: 12, additions: 12, transcendentals: 24))
    }

    @Test func gradientCheck() throws {
        try GraphGradientChecking.check(SiLUOperator(), inputShapes: [[3, 8]], epsilon: 1e-3)
    }
}
