import ArgumentParser
import Foundation
import ShrinkCompression
import ShrinkFormats
import ShrinkResults
import Testing
@testable import ShrinkCLI

@Suite(.serialized) struct CompressCommandTests {
    @Test func optionsAreValidatedBeforeRunning() throws {
        #expect(throws: (any Error).self) { try CompressCommand.parse(["m.shrink", "--recipe", "fp16"]) }
        #expect(throws: (any Error).self) { try CompressCommand.parse(["m.shrink", "--output", "o.shrink"]) }
        #expect(throws: (any Error).self) { try CompressCommand.parse(["--recipe", "fp16", "--output", "o.shrink"]) }
        #expect(throws: (any Error).self) {
            try CompressCommand.parse(["m.shrink", "--recipe", "fp16", "--output", "o", "--train-limit", "0"])
        }
        #expect(throws: (any Error).self) {
            try CompressCommand.parse(["m.shrink", "--recipe", "fp16", "--output", "o", "--threads", "0"])
        }
        let command = try CompressCommand.parse([
            "m.shrink", "--recipe", "prune-90", "--output", "o.shrink", "--train-limit", "100", "--seed", "3", "--json",
        ])
        #expect(command.recipe == "prune-90" && command.trainLimit == 100 && command.seed == 3 && command.json)
        // --print-recipe needs nothing else.
        _ = try CompressCommand.parse(["--print-recipe", "deep-compression"])
    }

    @Test func unknownRecipeFailsWithOneLineListingTheBuiltIns() throws {
        let command = try CompressCommand.parse(["/nonexistent/m.shrink", "--recipe", "squeeze-harder", "--output", "/tmp/x"])
        let error = #expect(throws: (any Error).self) { try command.run() }
        let message = String(describing: try #require(error))
        #expect(message.contains("squeeze-harder") && message.contains("deep-compression") && message.contains("qat-4bit"))
        #expect(!message.contains("\n"))

        let printing = try CompressCommand.parse(["--print-recipe", "squeeze-harder"])
        let printError = #expect(throws: (any Error).self) { try printing.run() }
        #expect(!String(describing: try #require(printError)).contains("\n"))
    }

    @Test func aBadRecipeFileFailsWithOneLineNamingTheStep() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-recipe")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.json"
        let json = #"{"version": 1, "name": "bad", "steps": [{"float16": {}}, {"magnitudePruning": {"method": "layerSparsity", "layers": {"default": 1.5}}}]}"#
        #expect(FileManager.default.createFile(atPath: path, contents: Data(json.utf8)))
        let command = try CompressCommand.parse(["/nonexistent/m.shrink", "--recipe", path, "--output", directory + "/o"])
        let error = #expect(throws: (any Error).self) { try command.run() }
        let message = String(describing: try #require(error))
        #expect(message.hasPrefix("steps[1].magnitudePruning:") && message.contains("1.5"))
        #expect(!message.contains("\n"))
    }

    @Test func compressesATinyModelWithARecipeFile() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-compress")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = directory + "/model.shrink"
        try TrainCommand.parse([
            "--model", "lenet-300-100", "--epochs", "1", "--train-limit", "640", "--seed", "4", "--threads", "1",
            "--output", trained, "--json",
        ]).run()

        // A user's edit of a built-in: prune-50 with one fine-tuning epoch, then float16.
        var recipe = try #require(BuiltInRecipes.recipe(named: "prune-50"))
        guard case var .magnitudePruning(pruning) = recipe.steps[0] else {
            Issue.record("prune-50 should start with magnitude pruning")
            return
        }
        pruning.fineTuneEpochs = 1
        recipe.steps = [.magnitudePruning(pruning), .float16(.init())]
        let recipePath = directory + "/recipe.json"
        #expect(FileManager.default.createFile(atPath: recipePath, contents: Data(try recipe.jsonString().utf8)))

        let output = directory + "/compressed.shrink"
        let reportPath = directory + "/report.json"
        let database = directory + "/results.db"
        try CompressCommand.parse([
            trained, "--recipe", recipePath, "--output", output, "--report-json", reportPath, "--train-limit", "640",
            "--test-limit", "300", "--threads", "1", "--seed", "2", "--json", "--database", database,
        ]).run()

        let reportData = try #require(FileManager.default.contents(atPath: reportPath))
        let report = try #require(try JSONSerialization.jsonObject(with: reportData) as? [String: Any])
        #expect(report["recipe_name"] as? String == "prune-50")
        #expect(report["training_samples"] as? Int == 640)
        #expect(report["test_samples"] as? Int == 300)
        let sparsity = try #require(report["weight_sparsity"] as? Double)
        #expect(abs(sparsity - 0.5) < 0.01, "every weight layer was pruned to 50 %, got \(sparsity)")
        let after = try #require(report["accuracy_after"] as? Double)
        #expect(after > 0.3, "a pruned one-epoch model should still beat chance (0.1) by far, got \(after)")
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.map { $0["kind"] as? String } == ["magnitude-pruning", "float16"])
        let layers = try #require(steps.first?["layers"] as? [[String: Any]])
        let keys = Set(try #require(layers.first).keys)
        #expect(keys.isSuperset(of: ["parameter", "layer_type", "elements", "non_zero", "density"]))

        let file = try ModelFile.read(from: output)
        #expect(file.graph.name == "lenet-300-100")
        #expect(file.metadata.compression?.recipe == "prune-50" && file.metadata.notes == nil)
        let compression = try #require(file.metadata.compression)
        #expect(compression.recipe == "prune-50")
        #expect(compression.steps.map(\.kind) == steps.map { $0["recipe_kind"] as? String })
        #expect(compression.steps.allSatisfy { $0.seconds > 0 })
        #expect(compression.testAccuracyAfter == after)
        let weight = try #require(file.tensors.first { $0.name == "fc1.weight" })
        let zeros = weight.value.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / Double(weight.value.count) - 0.5) < 0.01, "the written fc1.weight should be half zeros")

        // The run was recorded in the results database, describing the written file.
        let store = try ResultsStore(path: database, mode: .readOnly)
        let runs = try store.runs()
        #expect(runs.count == 1 && runs.first?.kind == .compress && runs.first?.variant == "compressed")
        let record = try store.compressionRecord(id: try #require(runs.first).id)
        let written = [UInt8](try #require(FileManager.default.contents(atPath: output)))
        #expect(record.outputBytes == written.count && record.outputSHA256.count == 64)
        #expect(record.recipe == "prune-50" && record.inputPath == trained && record.outputPath == output)
        #expect(record.steps.map(\.kind) == compression.steps.map(\.kind))
        #expect(record.accuracyAfter == after && record.accuracyBefore == compression.testAccuracyBefore)
        #expect(record.settings.trainingSamples == 640 && record.settings.testSamples == 300)
        #expect(record.settings.seed == 2 && record.settings.threads == 1)
        #expect(record.weightElements == report["weight_elements"] as? Int)
        #expect(record.machine.logicalCores >= 1 && record.codeVersion.hasPrefix("shrink "))
        #expect(try Recipe.decode(from: Data(record.recipeDefinition.utf8)).name == "prune-50")

        // --no-record leaves the database alone.
        try CompressCommand.parse([
            trained, "--recipe", "fp16", "--output", directory + "/half.shrink", "--train-limit", "100",
            "--test-limit", "50", "--threads", "1", "--json", "--database", database, "--no-record",
        ]).run()
        #expect(try store.count() == 1)
    }
}
