import Foundation
import ShrinkFormats
import ShrinkGraph
import ShrinkNN
@testable import ShrinkONNX
import ShrinkRuntime
import ShrinkTensor
import Testing

@Suite("ONNX import")
struct ONNXImporterTests {
    /// Seeded values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1..<1, using: &generator) }
    }

    /// A small CNN as PyTorch exports it: Conv → BatchNormalization → Relu → MaxPool, the
    /// flatten as Shape → Gather → Unsqueeze → Concat → Reshape, then MatMul + Add.
    static func torchStyleModel() -> (ONNXModel, weights: [String: [Float]]) {
        var weights = [String: [Float]]()
        weights["conv.weight"] = values(36, seed: 1)
        weights["conv.bias"] = values(4, seed: 2)
        weights["bn.scale"] = values(4, seed: 3).map { 1 + $0 / 2 }
        weights["bn.bias"] = values(4, seed: 4)
        weights["bn.mean"] = values(4, seed: 5).map { $0 / 4 }
        weights["bn.var"] = values(4, seed: 6).map { 1 + abs($0) }
        weights["fc.weight"] = values(36 * 5, seed: 7)
        weights["fc.bias"] = values(5, seed: 8)
        var model = ONNXModelBuilding()
        model.input("image", ["N", 1, 6, 6])
        model.initializer("conv.weight", [4, 1, 3, 3], weights["conv.weight"]!)
        model.initializer("conv.bias", [4], weights["conv.bias"]!)
        for name in ["scale", "bias", "mean", "var"] { model.initializer("bn.\(name)", [4], weights["bn.\(name)"]!) }
        model.initializer("fc.weight", [36, 5], weights["fc.weight"]!)
        model.initializer("fc.bias", [5], weights["fc.bias"]!)
        model.integerInitializer("zero", [0], shape: [])
        model.integerInitializer("axes", [0])
        model.integerInitializer("minus_one", [-1])
        model.node("Conv", ["image", "conv.weight", "conv.bias"], ["c"], ["pads": [1, 1, 1, 1], "kernel_shape": [3, 3]])
        model.node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b"], ["epsilon": Float(1e-5)])
        model.node("Relu", ["b"], ["r"])
        model.node("MaxPool", ["r"], ["p"], ["kernel_shape": [2, 2], "strides": [2, 2]])
        model.node("Shape", ["p"], ["s"])
        model.node("Gather", ["s", "zero"], ["n"], ["axis": 0])
        model.node("Unsqueeze", ["n", "axes"], ["n1"])
        model.node("Concat", ["n1", "minus_one"], ["target"], ["axis": 0])
        model.node("Reshape", ["p", "target"], ["flat"])
        model.node("MatMul", ["flat", "fc.weight"], ["mm"])
        model.node("Add", ["mm", "fc.bias"], ["logits"])
        model.output("logits")
        return (model.model, weights)
    }

    /// The same network written directly as a Shrink graph.
    static func shrinkEquivalent(_ weights: [String: [Float]]) throws -> ExecutionPlan {
        let graph = Graph(name: "reference", inputs: [ValueInfo(name: "image", shape: .batched([1, 6, 6]))], outputs: ["logits"], nodes: [
            Node(name: "conv", operatorType: "Conv2D", inputs: ["image"], outputs: ["c"], attributes: [
                "input_channels": .int(1), "output_channels": .int(4), "kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
            Node(name: "bn", operatorType: "BatchNormalization", inputs: ["c"], outputs: ["b"], attributes: ["channels": .int(4)]),
            Node(name: "relu", operatorType: "ReLU", inputs: ["b"], outputs: ["r"]),
            Node(name: "pool", operatorType: "MaxPool2D", inputs: ["r"], outputs: ["p"], attributes: [
                "kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            Node(name: "flatten", operatorType: "Flatten", inputs: ["p"], outputs: ["flat"]),
            Node(name: "fc", operatorType: "Linear", inputs: ["flat"], outputs: ["logits"], attributes: [
                "input_features": .int(36), "output_features": .int(5)]),
        ])
        let fcWeight = MatrixConverters.transposedMatrix(weights["fc.weight"]!, rows: 36, columns: 5)
        let tensors = [
            StoredTensor(name: "conv.weight", value: Tensor(shape: [4, 1, 3, 3], scalars: weights["conv.weight"]!)),
            StoredTensor(name: "conv.bias", value: Tensor(shape: [4], scalars: weights["conv.bias"]!)),
            StoredTensor(name: "bn.weight", value: Tensor(shape: [4], scalars: weights["bn.scale"]!)),
            StoredTensor(name: "bn.bias", value: Tensor(shape: [4], scalars: weights["bn.bias"]!)),
            StoredTensor(name: "bn.running_mean", kind: .buffer, value: Tensor(shape: [4], scalars: weights["bn.mean"]!)),
            StoredTensor(name: "bn.running_var", kind: .buffer, value: Tensor(shape: [4], scalars: weights["bn.var"]!)),
            StoredTensor(name: "fc.weight", value: Tensor(shape: [5, 36], scalars: fcWeight)),
            StoredTensor(name: "fc.bias", value: Tensor(shape: [5], scalars: weights["fc.bias"]!)),
        ]
        return try ExecutionPlan(graph: graph, tensors: tensors)
    }

    @Test("a PyTorch-style CNN imports (BatchNormalization folded, flatten arithmetic folded) and matches the same network built in Shrink")
    func torchStyleCNN() throws {
        let (model, weights) = Self.torchStyleModel()
        let imported = try ONNXImporter().importModel(model)
        let types = imported.graph.nodes.map(\.operatorType)
        #expect(types == ["Conv2D", "ReLU", "MaxPool2D", "Reshape", "Linear"])
        #expect(imported.graph.inputs[0].shape == .batched([1, 6, 6]))
        #expect(imported.notes.contains { $0.contains("folded into") && $0.contains("BatchNormalization") })
        #expect(imported.notes.contains { $0.contains("bias") })
        let plan = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
        let reference = try Self.shrinkEquivalent(weights)
        let input = Tensor(shape: [3, 1, 6, 6], scalars: Self.values(108, seed: 9))
        let actual = try plan.run(input), expected = try reference.run(input)
        #expect(actual.shape == [3, 5])
        for (a, e) in zip(actual.scalars, expected.scalars) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
    }

    @Test("the imported model survives the model file: written, read back, same outputs")
    func throughTheModelFile() throws {
        let imported = try ONNXImporter().importModel(Self.torchStyleModel().0)
        let file = try imported.modelFile()
        let decoded = try ModelFile.decode(try file.encoded())
        let input = Tensor(shape: [2, 1, 6, 6], scalars: Self.values(72, seed: 10))
        let before = try ExecutionPlan(file: file).run(input), after = try ExecutionPlan(file: decoded).run(input)
        #expect(before == after)
    }

    @Test("one error lists every unsupported node with its name and op type")
    func unsupportedNodesListed() throws {
        var model = ONNXModelBuilding()
        model.input("x", ["N", 4])
        model.node("Relu", ["x"], ["a"])
        model.node("Erf", ["a"], ["b"], name: "erf_1")
        model.node("TopK", ["b"], ["c"], name: "topk")
        model.node("FusedConv", ["c"], ["d"], name: "fused", domain: "com.microsoft")
        model.output("d")
        #expect {
            try ONNXImporter().importModel(model.model)
        } throws: { error in
            let text = "\(error)"
            return text.contains("3 unsupported nodes") && text.contains("erf_1 (Erf)") && text.contains("topk (TopK)")
                && text.contains("fused (com.microsoft.FusedConv)") && !text.contains("\n")
        }
    }

    @Test("an unsupported configuration names the node and the reason")
    func unsupportedConfiguration() throws {
        var model = ONNXModelBuilding()
        model.input("x", ["N", 3, 4])
        model.node("Transpose", ["x"], ["y"], name: "swap", ["perm": [1, 0, 2]])
        model.output("y")
        #expect(throws: ONNXError.self) { try ONNXImporter().importModel(model.model) }
        do { _ = try ONNXImporter().importModel(model.model) } catch {
            #expect("\(error)".contains("node 'swap' (Transpose)") && "\(error)".contains("batch"))
        }
    }

    @Test("preprocessing becomes the first node and is applied by the runtime")
    func preprocessingNode() throws {
        var model = ONNXModelBuilding()
        model.input("x", ["N", 2, 2, 2])
        model.node("Identity", ["x"], ["y"])
        model.output("y")
        let options = ONNXImportOptions(preprocessing: InputPreprocessing(scale: 2, mean: [1, 0], standardDeviation: [0.5, 2]))
        let imported = try ONNXImporter(options: options).importModel(model.model)
        #expect(imported.graph.nodes.first?.operatorType == "InputNormalization")
        let plan = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
        let output = try plan.run(Tensor(shape: [1, 2, 2, 2], scalars: [1, 1, 1, 1, 1, 1, 1, 1]))
        // Channel 0: (1·2 − 1)/0.5 = 2; channel 1: (1·2 − 0)/2 = 1.
        #expect(output.scalars == [2, 2, 2, 2, 1, 1, 1, 1])
    }
}
