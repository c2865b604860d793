import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkMeasurement
import ShrinkRuntime

/// Classifies a test set with a compiled plan: the one path `shrink eval`, `shrink bench` and
/// `shrink compress` measure accuracy on, so the reported number is the number the file gives
/// when it runs.
public enum PlanEvaluation {
    /// What a plan gives on a test set.
    public struct Result: Equatable, Sendable {
        /// Top-1, top-5 (k = min(5, classes)) and the classification report.
        public var accuracy: AccuracyFigures
        /// Mean softmax cross-entropy of the logits against the labels.
        public var meanLoss: Double
        public var samples: Int
    }

    /// Runs `testSet` through `plan` in batches of `batchSize`. Nil for an empty set.
    /// - Throws: `BenchmarkError.datasetMismatch` when the samples' shape is not the model's input.
    public static func evaluate(plan: ExecutionPlan, testSet: LabeledDataset, batchSize: Int) throws -> Result? {
        guard testSet.count > 0 else { return nil }
        guard testSet.sampleShape.reduce(1, *) == plan.inputShape.reduce(1, *) else {
            throw BenchmarkError.datasetMismatch(expectedSample: plan.inputShape, got: testSet.sampleShape)
        }
        let classCount = plan.outputShape.reduce(1, *)
        let sampleSize = plan.inputShape.reduce(1, *)
        var logits = [Float](repeating: 0, count: testSet.count * classCount) // [samples, classes]
        try testSet.inputs.withUnsafeBufferPointer { inputs in
            try logits.withUnsafeMutableBufferPointer { all in
                var start = 0
                while start < testSet.count {
                    let rows = min(batchSize, testSet.count - start)
                    let source = UnsafeBufferPointer(rebasing: inputs[(start * sampleSize)..<((start + rows) * sampleSize)])
                    let target = UnsafeMutableBufferPointer(rebasing: all[(start * classCount)..<((start + rows) * classCount)])
                    try plan.run(input: source, batch: rows, output: target)
                    start += rows
                }
            }
        }
        let predictions = try ClassificationMetrics.predictions(logits: logits, classCount: classCount)
        let report = try ClassificationMetrics.report(predictions: predictions, labels: testSet.labels, classCount: classCount)
        let top5 = try ClassificationMetrics.topKAccuracy(logits: logits, labels: testSet.labels, classCount: classCount,
                                                          k: min(5, classCount))
        return Result(accuracy: AccuracyFigures(top1: report.accuracy, top5: top5, classification: report),
                      meanLoss: meanCrossEntropy(logits: logits, labels: testSet.labels, classCount: classCount),
                      samples: testSet.count)
    }

    /// Compiles `file` and evaluates it (see `evaluate(plan:testSet:batchSize:)`).
    public static func evaluate(file: ModelFile, testSet: LabeledDataset, batchSize: Int, threads: Int) throws -> Result? {
        try evaluate(plan: ExecutionPlan(file: file, threads: threads, kernelSelection: .standard), testSet: testSet,
                     batchSize: batchSize)
    }

    /// `−log softmax(logits)[label]` averaged over the rows, computed in Double with the row
    /// maximum subtracted.
    static func meanCrossEntropy(logits: [Float], labels: [Int], classCount: Int) -> Double {
        guard !labels.isEmpty, classCount > 0 else { return 0 }
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let values = logits[(row * classCount)..<((row + 1) * classCount)].map(Double.init)
            let maximum = values.max()!
            let logSum = values.reduce(0) { $0 + Foundation.exp($1 - maximum) }
            total += Foundation.log(logSum) + maximum - values[label]
        }
        return total / Double(labels.count)
    }
}
