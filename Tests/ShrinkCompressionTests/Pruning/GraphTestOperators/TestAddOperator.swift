import ShrinkNN
import ShrinkTensor

/// Test-only element-wise sum of 2 or more same-shaped inputs (stands in for the `Add` op
/// written on another branch): `.elementwise(perChannel: [])`.
struct TestAddOperator: Operator {
    static let typeName = "TestAdd"
    static let attributeDeclarations: [AttributeDeclaration] = []

    init() {}
    init(attributes: Attributes) throws(OperatorError) {}
    var attributes: Attributes { [:] }
    var inputCount: ClosedRange<Int> { 2...8 }

    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        guard inputShapes.allSatisfy({ $0 == inputShapes[0] }) else {
            throw OperatorError("inputs must share one shape, got \(inputShapes)")
        }
        return [inputShapes[0]]
    }

    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(additions: (inputShapes.count - 1) * outputShapes[0].reduce(1, *))
    }

    var channelCoupling: ChannelCoupling { .elementwise(perChannel: []) }

    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        TestAddKernel()
    }
}

private final class TestAddKernel: OperatorKernel {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] {
        [inputs.dropFirst().reduce(inputs[0]) { $0.adding($1) }]
    }

    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] {
        needsInputGradients.map { $0 ? outputGradients[0] : nil }
    }
}
