import Foundation
import ShrinkBenchmarking
import ShrinkData
import ShrinkFormats
import ShrinkRuntime
import ShrinkTensor
import Testing

@Suite struct PlanEvaluationTests {
    @Test func evaluatesTheFileThroughThePlan() throws {
        let directory = makeTemporaryDirectory(prefix: "plan-evaluation")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try ModelFile.read(from: try TinyModel.write(into: directory, int8: false))
        let samples = TinyModel.samples(12)
        let result = try #require(try PlanEvaluation.evaluate(file: file, testSet: samples, batchSize: 5, threads: 1))
        // The same logits, run sample by sample, give the same top-1.
        let plan = try ExecutionPlan(file: file)
        var correct = 0
        for index in 0..<samples.count {
            let logits = try plan.run(samples.batch(at: index..<(index + 1)).inputs).scalars
            if logits.firstIndex(of: logits.max()!) == samples.labels[index] { correct += 1 }
        }
        #expect(result.samples == 12 && result.accuracy.top1 == Double(correct) / 12)
        #expect(result.meanLoss.isFinite && result.meanLoss > 0)
    }

    @Test func aDatasetOfAnotherShapeIsOneClearError() throws {
        let directory = makeTemporaryDirectory(prefix: "plan-evaluation")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try ModelFile.read(from: try TinyModel.write(into: directory, int8: false))
        let other = LabeledDataset(inputs: Tensor(zeros: [2, 3]), labels: [0, 1], classCount: 2)
        #expect(throws: BenchmarkError.datasetMismatch(expectedSample: [1, 2, 2], got: [3])) {
            try PlanEvaluation.evaluate(file: file, testSet: other, batchSize: 4, threads: 1)
        }
    }
}
