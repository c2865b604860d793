import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkTensor
import Testing

/// Export of `Sub`, `Div`, constant operands, `InputNormalization`, `QuantizeLinear` and
/// `DequantizeLinear`: the ONNX structure, and numerical round trips through the importer.
@Suite("ONNX export of arithmetic and quantization ops")
struct ExportArithmeticAndQuantizationTests {

    static func node(_ name: String, _ type: String, _ inputs: [String], _ attributes: Attributes = [:]) -> Node {
        Node(name: name, operatorType: type, inputs: inputs, outputs: [name], attributes: attributes)
    }

    static var arithmeticGraph: Graph {
        Graph(name: "arithmetic", inputs: [ValueInfo(name: "input", shape: .batched([3, 4, 4]))], outputs: ["difference"], nodes: [
            node("norm", "InputNormalization", ["input"], ["scale": .float(1.0 / 255), "mean": .floats([0.1, 0.2, 0.3]),
                                                             "standard_deviation": .floats([0.5, 0.25, 0.125])]),
            node("plus", "Add", ["norm"], ["constant": .int(1), "constant_shape": .ints([1, 3, 1, 1])]),
            node("minus", "Sub", ["plus"], ["constant": .int(1), "constant_shape": .ints([]), "constant_first": .int(1)]),
            node("over", "Div", ["minus"], ["constant": .int(1), "constant_shape": .ints([4])]),
            node("times", "Mul", ["over"], ["constant": .int(1), "constant_shape": .ints([3, 1, 1])]),
            node("ratio", "Div", ["times", "norm"]),
            node("difference", "Sub", ["ratio", "plus"]),
        ])
    }

    static var quantizationGraph: Graph {
        Graph(name: "quantization", inputs: [ValueInfo(name: "input", shape: .batched([3, 4, 4]))], outputs: ["restored"], nodes: [
            node("codes", "QuantizeLinear", ["input"], ["scale": .floats([0.02]), "zero_point": .ints([128])]),
            node("values", "DequantizeLinear", ["codes"], ["scale": .floats([0.02]), "zero_point": .ints([128])]),
            node("channel_codes", "QuantizeLinear", ["values"], ["scale": .floats([0.1, 0.2, 0.3]), "zero_point": .ints([0, 1, -1]),
                                                                 "axis": .int(1), "signed": .int(1)]),
            node("relu", "ReLU", ["channel_codes"]),
            node("restored", "DequantizeLinear", ["relu"], ["scale": .floats([0.5]), "zero_point": .ints([1])]),
        ])
    }

    /// A model file of `graph` whose constants are drawn in [0.5, 1.5) (no division by zero).
    static func file(_ graph: Graph, registry: OperatorRegistry) throws -> ModelFile {
        let resolved = try ResolvedGraph(graph, registry: registry)
        var generator = SeededRandomNumberGenerator(seed: 5)
        let tensors = resolved.weights.map { weight in
            StoredTensor(name: weight.name, value: Tensor(shape: weight.declaration.shape, scalars: (0..<weight.declaration.elementCount)
                .map { _ in 0.5 + generator.nextUniform() }))
        }
        return ModelFile(graph: graph, tensors: tensors)
    }

    static func initializer(_ model: ONNXModel, _ name: String) -> Onnx_TensorProto? {
        model.proto.graph.initializer.first { $0.name == name }
    }

    @Test("InputNormalization is Mul, Sub, Div by [1, C, 1, 1] constants; constant operands are initializers in order")
    func arithmeticStructure() throws {
        let registry = OperatorRegistry.standard
        let file = try Self.file(Self.arithmeticGraph, registry: registry)
        let model = try ONNXExporter(registry: registry).export(file)
        let nodes = model.proto.graph.node
        #expect(nodes.map(\.opType) == ["Mul", "Sub", "Div", "Add", "Sub", "Div", "Mul", "Div", "Sub"])
        #expect(nodes[2].name == "norm" && nodes[2].output == ["norm"] && nodes[1].output[0] == nodes[2].input[0])
        #expect(try ONNXConstant(#require(Self.initializer(model, nodes[0].input[1]))).floats == [1.0 / 255])
        #expect(Self.initializer(model, nodes[1].input[1])?.dims == [1, 3, 1, 1])
        #expect(try ONNXConstant(#require(Self.initializer(model, nodes[2].input[1]))).floats == [0.5, 0.25, 0.125])
        #expect(nodes[3].input == ["norm", "plus.constant"] && Self.initializer(model, "plus.constant")?.dims == [1, 3, 1, 1])
        #expect(nodes[4].input == ["minus.constant", "plus"] && Self.initializer(model, "minus.constant")?.dims == [])
        #expect(nodes[5].input == ["minus", "over.constant"] && Self.initializer(model, "over.constant")?.dims == [4])
        #expect(nodes[6].input == ["over", "times.constant"] && Self.initializer(model, "times.constant")?.dims == [3, 1, 1])
        #expect(nodes[7].input == ["times", "norm"] && nodes[8].input == ["ratio", "plus"])
        #expect(try ONNXConstant(#require(Self.initializer(model, "over.constant"))).floats == file.tensor(named: "over.constant")?.value.scalars)
    }

    @Test("QuantizeLinear codes feed DequantizeLinear directly, other readers through a Cast; a lone DequantizeLinear is float arithmetic")
    func quantizationStructure() throws {
        let registry = OperatorRegistry.standard
        let model = try ONNXExporter(registry: registry).export(try Self.file(Self.quantizationGraph, registry: registry))
        let nodes = model.proto.graph.node
        #expect(nodes.map(\.opType) == ["QuantizeLinear", "DequantizeLinear", "QuantizeLinear", "Cast", "Relu", "Sub", "Mul"])
        #expect(nodes[1].input[0] == nodes[0].output[0] && nodes[1].output == ["values"])
        #expect(Self.initializer(model, nodes[0].input[2])?.dataType == 2 && Self.initializer(model, nodes[1].input[2])?.dataType == 2)
        #expect(nodes[2].attribute.first { $0.name == "axis" }?.i == 1)
        #expect(Self.initializer(model, nodes[2].input[2])?.dataType == 3)
        #expect(try ONNXConstant(#require(Self.initializer(model, nodes[2].input[2]))).integers == [0, 1, -1])
        #expect(nodes[3].input == nodes[2].output && nodes[3].output == ["channel_codes"] && nodes[4].input == ["channel_codes"])
        #expect(nodes[6].name == "restored" && nodes[6].output == ["restored"])
        #expect(try ONNXConstant(#require(Self.initializer(model, nodes[5].input[1]))).floats == [1])
        #expect(try ONNXConstant(#require(Self.initializer(model, nodes[6].input[1]))).floats == [0.5])
    }
    @Test("the arithmetic ops export, re-import and compute the same outputs")
    func arithmeticRoundTrip() throws {
        try Self.roundTrip(Self.arithmeticGraph)
    }
    @Test("the quantization ops export, re-import and compute the same outputs")
    func quantizationRoundTrip() throws {
        try Self.roundTrip(Self.quantizationGraph)
    }

    static func roundTrip(_ graph: Graph) throws {
        let file = try Self.file(graph, registry: .standard)
        let reimported = try ExportTestSupport.reimported(try ONNXExporter().export(file))
        let input = ExportTestSupport.input(batch: 2, sampleShape: [3, 4, 4], seed: 3)
        #expect(ExportTestSupport.relativeError(try ExportTestSupport.run(reimported, input), try ExportTestSupport.run(file, input)) <= 1e-5)
    }
}
