import ShrinkGraph
import ShrinkTensor

/// Minimal ops for testing the graph module on its own (the real ops live in ShrinkNN).
struct PassThroughTestOperator: Operator {
    static let typeName = "TestPass"
    static let attributeDeclarations = [AttributeDeclaration("scale", .float, default: .float(1))]
    var scale: Float
    init(attributes: Attributes) throws(OperatorError) {
        scale = try attributes.float("scale")
        guard scale != 0 else { throw OperatorError("scale must not be 0") }
    }
    var attributes: Attributes { ["scale": .float(scale)] }
    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { [inputShapes[0]] }
    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount {
        OperationCount(multiplies: outputShapes[0].reduce(1, *))
    }
    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        UnusedKernel()
    }
}

struct SumTestOperator: Operator {
    static let typeName = "TestSum"
    static let attributeDeclarations: [AttributeDeclaration] = []
    init(attributes: Attributes) throws(OperatorError) {}
    var attributes: Attributes { [:] }
    var inputCount: ClosedRange<Int> { 2...Int.max }
    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] {
        guard inputShapes.allSatisfy({ $0 == inputShapes[0] }) else { throw OperatorError("input shapes differ") }
        return [inputShapes[0]]
    }
    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }
    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel {
        UnusedKernel()
    }
}

final class UnusedKernel: OperatorKernel {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] { inputs }
    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] { outputGradients }
}

let testRegistry = OperatorRegistry([PassThroughTestOperator.self, SumTestOperator.self])
