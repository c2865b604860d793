import Foundation
import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkTensor
import Testing

/// What the exporter refuses, each in one line naming the node and its op.
@Suite("ONNX export errors")
struct ExportErrorTests {
    static func file(_ nodes: [Node], outputs: [String], sampleShape: [Int] = [4]) -> ModelFile {
        ModelFile(graph: Graph(name: "odd", inputs: [ValueInfo(name: "input", shape: .batched(sampleShape))], outputs: outputs, nodes: nodes),
                  tensors: [])
    }

    @Test("a node whose op has no ONNX form is named with its op, in one line")
    func unknownOperator() throws {
        let file = Self.file([Node(name: "mystery", operatorType: "Mystery", inputs: ["input"], outputs: ["out"])], outputs: ["out"])
        let error = #expect(throws: ONNXError.self) { try ONNXExporter().export(file) }
        #expect(error?.description == "cannot export to ONNX: no ONNX form for node 'mystery' (Mystery)")
        let two = Self.file([
            Node(name: "a", operatorType: "Mystery", inputs: ["input"], outputs: ["a"]),
            Node(name: "b", operatorType: "ReLU", inputs: ["a"], outputs: ["b"]),
            Node(name: "c", operatorType: "Enigma", inputs: ["b"], outputs: ["c"]),
        ], outputs: ["c"])
        let both = #expect(throws: ONNXError.self) { try ONNXExporter().export(two) }
        #expect(both?.description == "cannot export to ONNX: no ONNX form for nodes 'a' (Mystery), 'c' (Enigma)")
        #expect(both?.description.contains("\n") == false)
    }

    @Test("a ceil-mode pool whose last window starts in the end padding is refused (opset 17 keeps that window)")
    func ceilModeMismatch() throws {
        let pool = Node(name: "pool", operatorType: "MaxPool2D", inputs: ["input"], outputs: ["pool"], attributes: [
            "kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([0, 0, 1, 1]), "ceil_mode": .int(1),
        ])
        let error = #expect(throws: ONNXError.self) { try ONNXExporter().export(Self.file([pool], outputs: ["pool"], sampleShape: [1, 4, 4])) }
        #expect(error?.description == "cannot export to ONNX: node 'pool' (MaxPool2D): ceil_mode gives 2 positions on axis 2 "
            + "but ONNX's opset 17 formula gives 3")
    }

    @Test("a missing weight and an invalid graph are named")
    func invalidFiles() throws {
        let linear = Node(name: "fc", operatorType: "Linear", inputs: ["input"], outputs: ["fc"],
                          attributes: ["input_features": .int(4), "output_features": .int(2)])
        let missing = #expect(throws: ONNXError.self) { try ONNXExporter().export(Self.file([linear], outputs: ["fc"])) }
        #expect(missing?.description == "cannot export to ONNX: node 'fc' (Linear): weight 'fc.weight' is missing from the model file")
        let invalid = #expect(throws: ONNXError.self) { try ONNXExporter().export(Self.file([linear], outputs: ["fc"], sampleShape: [5])) }
        #expect(invalid?.description.hasPrefix("cannot export to ONNX: the graph is invalid: ") == true)
    }

    @Test("the integer QOperator ops (imported from ONNX) are refused by name: their codes carry no signedness to write")
    func integerOperators() throws {
        let node = Node(name: "product", operatorType: "MatMulInteger", inputs: ["input"], outputs: ["product"],
                        attributes: ["input_features": .int(4), "output_features": .int(2)])
        var file = Self.file([node], outputs: ["product"])
        file.tensors = [StoredTensor(name: "product.b", value: Tensor(shape: [4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8]))]
        let error = #expect(throws: ONNXError.self) { try ONNXExporter().export(file) }
        #expect(error?.description == "cannot export to ONNX: no ONNX form for node 'product' (MatMulInteger)")
    }
}
