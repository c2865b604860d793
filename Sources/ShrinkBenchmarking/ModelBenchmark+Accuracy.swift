import ShrinkData
import ShrinkMeasurement
import ShrinkRuntime

extension ModelBenchmark {
    /// Classifies `testSet` with the plan in batches of `batchSize`: top-1, top-5 (top-k with k =
    /// min(5, classes)) and the classification report. Nil for an empty set.
    static func accuracy(plan: ExecutionPlan, testSet: LabeledDataset, batchSize: Int) throws -> AccuracyFigures? {
        guard testSet.count > 0 else { return nil }
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
        return AccuracyFigures(top1: report.accuracy, top5: top5, classification: report)
    }
}
