import ArgumentParser
import Foundation
import ShrinkCompression
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing
@testable import ShrinkCLI

@Suite struct ONNXCommandTests {
    /// A seeded resnet-mini written as a model file.
    static func writeResNet(to path: String) throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let network = try GraphNetwork(graph: ModelZoo.graph(named: "resnet-mini"), generator: &generator)
        try CompressedModel(network: network).modelFile().write(to: path)
    }

    @Test("export, then import (and reading the .onnx directly): the same graph computing the same outputs")
    func exportImportEval() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-onnx")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeResNet(to: directory + "/resnet.shrink")
        try ExportCommand.parse([directory + "/resnet.shrink", "--output", directory + "/resnet.onnx"]).run()
        try ImportCommand.parse([directory + "/resnet.onnx", "--output", directory + "/imported.shrink", "--json"]).run()
        let imported = try ModelFile.read(from: directory + "/imported.shrink")
        #expect(imported.metadata.imported?.source == "resnet.onnx")
        #expect(imported.metadata.imported?.sourceSHA256.count == 64)
        let original = try ModelSource.read(directory + "/resnet.shrink", importing: ImportOptions.parse([]))
        let direct = try ModelSource.read(directory + "/resnet.onnx", importing: ImportOptions.parse([]))
        #expect(direct.graph.nodes.map(\.operatorType) == imported.graph.nodes.map(\.operatorType))
        // Each BatchNormalization is folded into the convolution before it; every other node keeps its name.
        #expect(original.graph.nodes.filter { $0.operatorType != "BatchNormalization" }.map(\.name) == imported.graph.nodes.map(\.name))
        var generator = SeededRandomNumberGenerator(seed: 6)
        let input = Tensor(shape: [3, 1, 28, 28], scalars: (0..<(3 * 784)).map { _ in generator.nextUniform() })
        let expected = try ExecutionPlan(file: original).run(input)
        for file in [imported, direct] {
            let actual = try ExecutionPlan(file: file).run(input)
            #expect(zip(actual.scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        }
    }

    @Test("import refuses an existing output without --force, the input itself, and a missing folder, before reading")
    func outputChecks() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-onnx")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/model.onnx", contents: Data([1, 2, 3]))
        FileManager.default.createFile(atPath: directory + "/taken.shrink", contents: Data())
        #expect(throws: (any Error).self) { try ImportCommand.parse([directory + "/model.onnx", "--output", directory + "/taken.shrink"]) }
        #expect(throws: (any Error).self) { try ImportCommand.parse([directory + "/model.onnx", "--output", directory + "/model.onnx", "--force"]) }
        #expect(throws: (any Error).self) { try ImportCommand.parse([directory + "/model.onnx", "--output", directory + "/no/such/x.shrink"]) }
        #expect(throws: (any Error).self) { try ImportCommand.parse([directory + "/model.onnx", "--output", directory + "/x.shrink", "--std", "0"]) }
        let command = try ImportCommand.parse([directory + "/model.onnx", "--output", directory + "/x.shrink"])
        let error = #expect(throws: (any Error).self) { try command.run() }
        #expect("\(error!)".hasPrefix("not a valid ONNX model"))
    }

    @Test("recipes know whether they train on labelled data")
    func recipesThatTrain() throws {
        #expect(try #require(BuiltInRecipes.recipe(named: "int8-static", forModel: nil)).trainsWithLabels == false)
        #expect(try #require(BuiltInRecipes.recipe(named: "fp16", forModel: nil)).trainsWithLabels == false)
        #expect(try #require(BuiltInRecipes.recipe(named: "prune-50", forModel: nil)).trainsWithLabels)
        #expect(try #require(BuiltInRecipes.recipe(named: "qat-int8", forModel: nil)).trainsWithLabels)
        #expect(try #require(BuiltInRecipes.recipe(named: "distill", forModel: nil)).trainsWithLabels)
    }
}
