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
        let error = #expect(throws: (any Error).self) {
            try CompressCommand.parse(["/nonexistent/m.shrink", "--recipe", "squeeze-harder", "--output", "o.shrink"])
        }
        let message = CompressCommand.message(for: try #require(error))
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
        let error = #expect(throws: (any Error).self) {
            try CompressCommand.parse(["/nonexistent/m.shrink", "--recipe", path, "--output", directory + "/o"])
        }
        let message = CompressCommand.message(for: try #require(error))
        #expect(message.hasPrefix("steps[1].magnitudePruning:") && message.contains("1.5"))
        #expect(!message.contains("\n"))
    }

    @Test func compressesATinyModelWithARecipeFile() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-compress")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try trainTinyLeNet(in: directory)

        // A user's edit of a built-in, under its own name: prune-50 with one fine-tuning epoch, then float16.
        var recipe = try #require(BuiltInRecipes.recipe(named: "prune-50"))
        recipe.name = "prune-50-quick"
        guard case var .magnitudePruning(pruning) = recipe.steps[0] else {
            Issue.record("prune-50 should start with magnitude pruning")
            return
        }
        pruning.fineTuneEpochs = 1
        // The built-in's conv1 override is for LeNet-5: a pattern matching no layer is an error.
        pruning.layers.layers = []
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
        // The model and the report went through temporary names: none is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).allSatisfy { !$0.contains(".tmp") })
        #expect(report["recipe_name"] as? String == "prune-50-quick")
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
        #expect(file.metadata.compression?.recipe == "prune-50-quick" && file.metadata.notes == nil)
        let compression = try #require(file.metadata.compression)
        #expect(compression.recipe == "prune-50-quick")
        #expect(compression.steps.map(\.kind) == steps.map { $0["recipe_kind"] as? String })
        // Without --timestamp the file holds no times (the results store has them).
        #expect(compression.steps.allSatisfy { $0.seconds == nil } && file.metadata.createdAt == nil)
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
        #expect(record.recipe == "prune-50-quick" && record.inputPath == trained && record.outputPath == output)
        #expect(record.steps.map(\.kind) == compression.steps.map(\.kind))
        #expect(record.accuracyAfter == after && record.accuracyBefore == compression.testAccuracyBefore)
        #expect(record.settings.trainingSamples == 640 && record.settings.testSamples == 300)
        #expect(record.settings.seed == 2 && record.settings.threads == 1)
        #expect(record.weightElements == report["weight_elements"] as? Int)
        #expect(record.machine.logicalCores >= 1 && record.codeVersion.hasPrefix("shrink "))
        #expect(try Recipe.decode(from: Data(record.recipeDefinition.utf8)).name == "prune-50-quick")

        // --no-record leaves the database alone.
        try CompressCommand.parse([
            trained, "--recipe", "fp16", "--output", directory + "/half.shrink", "--train-limit", "100",
            "--test-limit", "50", "--threads", "1", "--json", "--database", database, "--no-record",
        ]).run()
        #expect(try store.count() == 1)

        // A database that breaks after the checks (here: replaced by a folder) loses nothing
        // measured: the file and the report are written and printed, then the error says so.
        let lateDatabase = directory + "/late.db"
        let late = try CompressCommand.parse([
            trained, "--recipe", "fp16", "--output", directory + "/late.shrink", "--train-limit", "100",
            "--test-limit", "50", "--threads", "1", "--json", "--database", lateDatabase,
        ])
        try FileManager.default.createDirectory(atPath: lateDatabase, withIntermediateDirectories: false)
        var failure: (any Error)?
        let printed = captureStandardOutput {
            do { try late.run() } catch { failure = error }
        }
        let message = String(describing: try #require(failure))
        #expect(message.contains("not recorded in \(lateDatabase)") && message.contains("were written") && !message.contains("\n"))
        #expect(printed.contains("\"recipe_name\" : \"fp16\"") && printed.contains("\"accuracy_after\""), "\(printed.prefix(200))")
        #expect(FileManager.default.fileExists(atPath: directory + "/late.shrink"))

        // A recipe file whose skip entry names no layer of the model fails before any work,
        // naming the entry and the closest layer.
        let unmatched = directory + "/unmatched.json"
        let unmatchedJSON = #"{"version": 1, "name": "prune-mine", "steps": [{"magnitudePruning": {"method": "layerSparsity", "layers": {"default": 0.5, "skip": ["fc4"]}, "fineTuneEpochs": 1}}]}"#
        #expect(FileManager.default.createFile(atPath: unmatched, contents: Data(unmatchedJSON.utf8)))
        let unmatchedRun = try CompressCommand.parse([
            trained, "--recipe", unmatched, "--output", directory + "/unmatched.shrink", "--no-record", "--json",
        ])
        let unmatchedError = #expect(throws: RecipeError.self) { try unmatchedRun.run() }
        #expect(unmatchedError?.description.hasPrefix("recipe steps[0].magnitudePruning.layers.skip[0] 'fc4' matches no layer of lenet-300-100; did you mean 'fc1'?") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/unmatched.shrink"))
    }
}
