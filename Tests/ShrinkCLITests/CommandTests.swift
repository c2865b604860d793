import ArgumentParser
import Foundation
import ShrinkFormats
import Testing
@testable import ShrinkCLI

@Suite(.serialized) struct CommandTests {
    @Test func trainThenEvalOnASmallSubset() throws {
        let directory = makeTemporaryDirectory(prefix: "shrink-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/model.shrink"
        let train = try TrainCommand.parse([
            "--model", "lenet-300-100", "--epochs", "1", "--train-limit", "640", "--seed", "4",
            "--threads", "1", "--output", output, "--json",
        ])
        try train.run()

        let file = try ModelFile.read(from: output)
        #expect(file.graph.name == "lenet-300-100")
        #expect(file.metadata.training?.epochs == 1)
        #expect(file.metadata.training?.seed == 4)
        let accuracy = try #require(file.metadata.training?.testAccuracy)
        #expect(accuracy > 0.5, "one epoch on 640 samples should beat chance by far, got \(accuracy)")

        let eval = try EvalCommand.parse([output, "--json"])
        try eval.run()
    }

    @Test func invalidOptionsAreRejectedBeforeRunning() {
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--model", "lenet-5", "--output", "x", "--epochs", "0"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--model", "lenet-5", "--output", "x", "--batch-size", "-3"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--model", "lenet-5", "--output", "x", "--threads", "0"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--model", "lenet-5"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["model.shrink", "--batch-size", "0"]) }
    }

    @Test func unknownModelIsRejectedBeforeRunningWithOneLine() throws {
        let error = #expect(throws: (any Error).self) { try TrainCommand.parse(["--model", "resnet-9000", "--output", "x.shrink"]) }
        let message = TrainCommand.message(for: try #require(error))
        #expect(message.contains("resnet-9000") && message.contains("lenet-300-100"))
        #expect(!message.contains("\n"))
    }

    @Test func missingFileFailsWithOneLine() throws {
        let eval = try EvalCommand.parse(["/nonexistent/model.shrink"])
        let error = #expect(throws: (any Error).self) { try eval.run() }
        let message = String(describing: try #require(error))
        #expect(message.contains("/nonexistent/model.shrink"))
        #expect(!message.contains("\n"))
    }

    @Test func evaluationJSONFieldNamesAreStable() throws {
        let report = EvaluationReport(file: "m.shrink", model: "lenet-5", dataset: "mnist", samples: 10,
                                      top1Accuracy: 0.9, top5Accuracy: 1, meanLoss: 0.25, seconds: 0.5)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(Set(object?.keys ?? [:].keys) == ["file", "model", "dataset", "samples", "top1_accuracy",
                                                   "top5_accuracy", "mean_loss", "seconds"])
    }

    @Test func textTableAlignsColumns() {
        var table = TextTable([("name", .left), ("value", .right)])
        table.append(["a", "1"])
        table.append(["longer", "22"])
        #expect(table.rendered() == "name    value\n------  -----\na           1\nlonger     22")
    }
}

/// A fresh directory under /tmp made with mkdtemp (plain paths: no `URL`, whose percent-encoder
/// has crashed under parallel tests on this toolchain).
func makeTemporaryDirectory(prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed")
    return String(cString: created!)
}

/// `directory/model.shrink`: LeNet-300-100 trained by `shrink train` for one epoch on 640
/// samples (seed 4, one thread), the small real model the command tests compress and measure.
func trainTinyLeNet(in directory: String) throws -> String {
    let trained = directory + "/model.shrink"
    try TrainCommand.parse([
        "--model", "lenet-300-100", "--epochs", "1", "--train-limit", "640", "--seed", "4", "--threads", "1",
        "--output", trained, "--json",
    ]).run()
    return trained
}
