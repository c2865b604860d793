import ShrinkNN
import ShrinkTensor

/// Stand-ins for the ops another branch adds to `OperatorRegistry.standard` (`Sub`, `Div`, the
/// constant-operand forms of `Add`/`Mul`/`Sub`/`Div`, `InputNormalization`, `QuantizeLinear`,
/// `DequantizeLinear`), declaring the same attributes and weights so graphs using them resolve
/// and their export can be checked now. They compute nothing: numerical round trips of these ops
/// run once the real ops are in the standard registry (`PendingOperatorExportTests`).
enum PendingOperatorStubs {
    /// The standard registry with the stand-ins in place of (or beside) the standard types.
    static let registry: OperatorRegistry = {
        var types = OperatorRegistry.standard.types
        for type in [AdditionStub.self, MultiplicationStub.self, SubtractionStub.self, DivisionStub.self,
                     InputNormalizationStub.self, QuantizeStub.self, DequantizeStub.self] as [any Operator.Type] {
            types[type.typeName] = type
        }
        return OperatorRegistry(Array(types.values))
    }()
}

/// An element-wise binary op with an optional constant operand (the other branch's attributes).
protocol BinaryStub: Operator {
    var constant: Bool { get }
    var constantShape: [Int] { get }
    init(constant: Bool, constantShape: [Int], constantFirst: Bool)
    var constantFirst: Bool { get }
}

extension BinaryStub {
    static var attributeDeclarations: [AttributeDeclaration] {
        [AttributeDeclaration("constant", .int, default: .int(0)), AttributeDeclaration("constant_shape", .ints, default: .ints([])),
         AttributeDeclaration("constant_first", .int, default: .int(0))]
    }

    init(attributes: Attributes) throws(OperatorError) {
        self.init(constant: try attributes.bool("constant"), constantShape: try attributes.ints("constant_shape"),
                  constantFirst: try attributes.bool("constant_first"))
    }

    var attributes: Attributes {
        ["constant": .int(constant ? 1 : 0), "constant_shape": .ints(constantShape), "constant_first": .int(constantFirst ? 1 : 0)]
    }

    var inputCount: ClosedRange<Int> { constant ? 1...1 : 2...Int.max }
    var weights: [WeightDeclaration] { constant ? [WeightDeclaration(name: "constant", shape: constantShape, role: .other)] : [] }
    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { [inputShapes[0]] }
    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }
    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel { StubKernel() }
}

struct AdditionStub: BinaryStub {
    static let typeName = "Add"
    var constant: Bool, constantShape: [Int], constantFirst: Bool
}

struct MultiplicationStub: BinaryStub {
    static let typeName = "Mul"
    var constant: Bool, constantShape: [Int], constantFirst: Bool
}

struct SubtractionStub: BinaryStub {
    static let typeName = "Sub"
    var constant: Bool, constantShape: [Int], constantFirst: Bool
}

struct DivisionStub: BinaryStub {
    static let typeName = "Div"
    var constant: Bool, constantShape: [Int], constantFirst: Bool
}

/// A shape-preserving op that keeps whatever attributes it is given.
protocol UnaryStub: Operator {
    var attributes: Attributes { get }
    init(stored attributes: Attributes)
}

extension UnaryStub {
    init(attributes: Attributes) throws(OperatorError) { self.init(stored: attributes) }
    func outputShapes(for inputShapes: [ValueShape]) throws(OperatorError) -> [ValueShape] { [inputShapes[0]] }
    func operationCount(inputShapes: [[Int]], outputShapes: [[Int]]) -> OperationCount { .zero }
    func makeKernel(name: String, weights: [Parameter], generator: inout SeededRandomNumberGenerator) -> any OperatorKernel { StubKernel() }
}

struct InputNormalizationStub: UnaryStub {
    static let typeName = "InputNormalization"
    static let attributeDeclarations = [
        AttributeDeclaration("scale", .float, default: .float(1)), AttributeDeclaration("mean", .floats, default: .floats([])),
        AttributeDeclaration("standard_deviation", .floats, default: .floats([])),
    ]
    var attributes: Attributes
    init(stored attributes: Attributes) { self.attributes = attributes }
}

let quantizationStubDeclarations = [
    AttributeDeclaration("scale", .floats), AttributeDeclaration("zero_point", .ints, default: .ints([])),
    AttributeDeclaration("axis", .int, default: .int(1)), AttributeDeclaration("signed", .int, default: .int(0)),
]

struct QuantizeStub: UnaryStub {
    static let typeName = "QuantizeLinear"
    static let attributeDeclarations = quantizationStubDeclarations
    var attributes: Attributes
    init(stored attributes: Attributes) { self.attributes = attributes }
}

struct DequantizeStub: UnaryStub {
    static let typeName = "DequantizeLinear"
    static let attributeDeclarations = quantizationStubDeclarations
    var attributes: Attributes
    init(stored attributes: Attributes) { self.attributes = attributes }
}

final class StubKernel: OperatorKernel {
    func forward(_ inputs: [Tensor], mode: ForwardMode) -> [Tensor] { preconditionFailure("a stand-in op does not run") }
    func backward(_ outputGradients: [Tensor], needsInputGradients: [Bool]) -> [Tensor?] { preconditionFailure("a stand-in op does not run") }
}
