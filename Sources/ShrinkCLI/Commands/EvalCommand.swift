import ArgumentParser
import Foundation
import ShrinkBenchmarking
import ShrinkFormats

/// `shrink eval`: loads a model file, compiles it with the runtime (the same plan `shrink bench`
/// times) and measures its accuracy on a data set's test split.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model file's accuracy on the test split of a data set.")

    @Argument(help: "The model file to evaluate (a .shrink file, or an .onnx file imported on the fly).")
    var file: String

    @OptionGroup(title: "ONNX import (for an .onnx file)") var importing: ImportOptions

    @OptionGroup var data: DatasetOptions
    @OptionGroup var compute: ComputeOptions

    @Option(help: "Samples per forward pass.")
    var batchSize: Int = 1000

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
    }

    func run() throws {
        compute.apply()
        let modelFile = try ModelSource.read(file, importing: importing)
        let test = try data.load(.test)
        let clock = ContinuousClock()
        let start = clock.now
        guard let result = try PlanEvaluation.evaluate(file: modelFile, testSet: test, batchSize: batchSize,
                                                       threads: compute.threads ?? ProcessInfo.processInfo.activeProcessorCount) else {
            throw CommandFailure("The test split of \(data.dataset.rawValue) is empty.")
        }
        let elapsed = start.duration(to: clock.now)
        let report = EvaluationReport(
            file: file, model: modelFile.graph.name, dataset: data.dataset.rawValue,
            samples: result.samples, top1Accuracy: result.accuracy.top1, top5Accuracy: result.accuracy.top5,
            meanLoss: result.meanLoss,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        if json {
            try printJSON(report)
        } else {
            var table = TextTable([("model", .left), ("samples", .right), ("top-1 error", .right),
                                   ("top-1 accuracy", .right), ("top-5 accuracy", .right), ("mean loss", .right)])
            table.append([report.model, "\(report.samples)", percent(1 - report.top1Accuracy),
                          percent(report.top1Accuracy), percent(report.top5Accuracy),
                          String(format: "%.4f", report.meanLoss)])
            print(table.rendered())
        }
    }
}

/// The JSON `shrink eval --json` prints. Field names are stable.
struct EvaluationReport: Codable {
    var file: String
    var model: String
    var dataset: String
    var samples: Int
    var top1Accuracy: Double
    var top5Accuracy: Double
    var meanLoss: Double
    var seconds: Double

    enum CodingKeys: String, CodingKey {
        case file, model, dataset, samples, seconds
        case top1Accuracy = "top1_accuracy"
        case top5Accuracy = "top5_accuracy"
        case meanLoss = "mean_loss"
    }
}
