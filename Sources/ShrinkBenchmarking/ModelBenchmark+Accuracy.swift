import ShrinkData
import ShrinkMeasurement
import ShrinkRuntime

extension ModelBenchmark {
    /// Classifies `testSet` with the plan in batches of `batchSize` (`PlanEvaluation`, the path
    /// `shrink eval` uses too): top-1, top-5 (top-k with k = min(5, classes)) and the
    /// classification report. Nil for an empty set.
    static func accuracy(plan: ExecutionPlan, testSet: LabeledDataset, batchSize: Int) throws -> AccuracyFigures? {
        try PlanEvaluation.evaluate(plan: plan, testSet: testSet, batchSize: batchSize)?.accuracy
    }
}
