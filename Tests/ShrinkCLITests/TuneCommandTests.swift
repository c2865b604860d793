import ArgumentParser
import Foundation
import ShrinkFormats
import ShrinkResults
import Testing
@testable import ShrinkCLI

@Suite(.serialized) struct TuneCommandTests {
    @Test func optionsAreValidatedBeforeRunning() throws {
        for arguments in [
            ["m.shrink", "--max-accuracy-drop", "-0.1"], ["m.shrink", "--max-size", "0"], ["m.shrink", "--max-latency", "0"],
            ["m.shrink", "--budget-evaluations", "0"], ["m.shrink", "--budget-minutes", "-1"], ["m.shrink", "--objective", "power"],
            ["m.shrink", "--validation-size", "0"], ["m.shrink", "--fine-tune-epochs", "-1"],
            ["m.shrink", "--output", "same.shrink", "--output-recipe", "same.shrink"], ["m.shrink", "--generation-size", "0"],
            ["m.shrink", "--shard", "3/2"], ["m.shrink", "--shard", "1/2", "--no-record"], ["m.shrink", "--resume", "--no-record"],
            ["m.shrink", "--resume", "--database", "/nonexistent-folder/none.db"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { try TuneCommand.parse(arguments) }
        }
        // A bad shard says why.
        do {
            _ = try TuneCommand.parse(["m.shrink", "--shard", "3/2"])
            Issue.record("--shard 3/2 was accepted")
        } catch {
            #expect(TuneCommand.message(for: error).contains("larger than the shard count"), "\(TuneCommand.message(for: error))")
        }
        let command = try TuneCommand.parse(["m.shrink", "--max-accuracy-drop", "0.1", "--objective", "latency", "--max-latency", "0.005"])
        #expect(command.objective == .latency && command.maxLatency == 0.005 && command.maxAccuracyDrop == 0.1)
    }

    @Test func theChosenRecipeGivesTheSameFileThroughCompress() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-tune")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try trainTinyLeNet(in: directory)
        let recipe = directory + "/tuned.json", tuned = directory + "/tuned.shrink", database = directory + "/results.db"
        let search = [trained, "--train-limit", "640", "--validation-size", "500", "--budget-evaluations", "2",
                      "--fine-tune-epochs", "0", "--max-accuracy-drop", "100", "--database", database, "--threads", "1"]
        // --resume needs evaluations of this search in the database.
        #expect(throws: (any Error).self) { try TuneCommand.parse(search + ["--resume"]).run() }
        let page = directory + "/tune.html"
        try TuneCommand.parse(search + ["--output-recipe", recipe, "--output", tuned, "--html", page]).run()
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<svg"))
        #expect(FileManager.default.fileExists(atPath: recipe) && FileManager.default.fileExists(atPath: tuned))
        let store = try ResultsStore(path: database, mode: .readOnly)
        let searches = try store.tuningSearches()
        #expect(searches.count == 1 && searches.first?.evaluations == 2)
        // Resumed: the same search reuses both evaluations.
        try TuneCommand.parse(search + ["--resume"]).run()
        #expect(try ResultsStore(path: database, mode: .readOnly).tuningSearches().first?.evaluations == 2)

        let compressed = directory + "/compressed.shrink"
        try CompressCommand.parse([trained, "--recipe", recipe, "--train-limit", "640", "--test-limit", "500", "--output", compressed,
                                   "--threads", "1", "--no-record", "--json"]).run()
        let tunedBytes = try Data(contentsOf: URL(fileURLWithPath: tuned))
        let compressedBytes = try Data(contentsOf: URL(fileURLWithPath: compressed))
        // The graph and tensors are the same; the files differ only in the compression summary:
        // tune writes the file its search measured (its steps ran without test data, so no
        // accuracy is recorded in it), compress records the accuracy on its test samples.
        let tunedFile = try ModelFile.decode(Array(tunedBytes)), compressedFile = try ModelFile.decode(Array(compressedBytes))
        #expect(tunedFile.tensors == compressedFile.tensors)
        #expect(tunedFile.graph == compressedFile.graph)
    }
}
