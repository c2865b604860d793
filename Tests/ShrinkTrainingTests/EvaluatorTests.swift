import Foundation
import ShrinkData
import ShrinkTensor
import Testing
@testable import ShrinkTraining

@Suite("Evaluator")
struct EvaluatorTests {
    /// Hand-made logits for 6 classes; each row's comment gives the label's rank under the rule
    /// "higher logit first, equal logits by lower class index first".
    static let rows: [(logits: [Float], label: Int)] = [
        ([0, 1, 5, 2, 3, 4], 2), // rank 0: top-1 and top-5
        ([1, 1, 0, 0, 0, 0], 0), // tie with class 1, lower index wins: rank 0
        ([1, 1, 0, 0, 0, 0], 1), // tie with class 0 ranks it behind: rank 1 (top-5 only)
        ([6, 5, 4, 3, 2, 1], 5), // rank 5: neither
        ([1, 1, 1, 1, 1, 1], 4), // all tied: rank 4 (top-5 only)
    ]

    private func dataset(_ rows: [(logits: [Float], label: Int)]) -> LabeledDataset {
        LabeledDataset(
            inputs: Tensor(shape: [rows.count, rows[0].logits.count], scalars: rows.flatMap(\.logits)),
            labels: rows.map(\.label), classCount: rows[0].logits.count)
    }

    @Test("top-1, top-5, predictions and loss with ties, across batch boundaries", arguments: [1, 2, 1000])
    func handMadeLogits(batchSize: Int) {
        let data = dataset(Self.rows)
        let result = Evaluator.evaluate(model: IdentityLayer(), on: data, batchSize: batchSize)
        #expect(result.samples == 5)
        #expect(result.top1Accuracy == 2.0 / 5)
        #expect(result.top5Accuracy == 4.0 / 5)
        #expect(result.predictions == [2, 0, 0, 0, 0])
        #expect(result.labels == [2, 0, 1, 5, 4])
        let expectedLoss = SoftmaxCrossEntropy().lossAndGradient(logits: data.inputs, labels: data.labels).loss
        #expect(abs(Float(result.meanLoss) - expectedLoss) < 1e-5)
    }

    @Test("with at most five classes every sample is top-5 correct; loss of equal logits is log C")
    func fewClasses() {
        let data = dataset([([0, 0, 0], 2), ([3, 2, 1], 2)])
        let result = Evaluator.evaluate(model: IdentityLayer(), on: data)
        #expect(result.top5Accuracy == 1)
        #expect(result.top1Accuracy == 0)
        // (log 3 + (log(e³ + e² + e) − 1)) / 2
        let expected = (log(3.0) + (log(exp(3.0) + exp(2.0) + exp(1.0)) - 1)) / 2
        #expect(abs(result.meanLoss - expected) < 1e-6)
    }

    @Test("NaN logits never rank above a class; a NaN label logit is never correct")
    func nanLogits() {
        let withNaN: [Float] = [.nan, 0, 0, 1, 0, 0]
        withNaN.withUnsafeBufferPointer { buffer in
            #expect(LogitRanking.rank(of: 3, in: buffer.baseAddress!, count: 6) == 0)
            #expect(LogitRanking.rank(of: 0, in: buffer.baseAddress!, count: 6) == nil)
            #expect(LogitRanking.argmax(buffer.baseAddress!, count: 6) == 3)
        }
    }

    @Test("an empty dataset gives zero samples and zero accuracy")
    func emptyDataset() {
        let data = LabeledDataset(inputs: Tensor(zeros: [0, 3]), labels: [], classCount: 3)
        let result = Evaluator.evaluate(model: IdentityLayer(), on: data)
        #expect(result.samples == 0 && result.top1Accuracy == 0 && result.predictions.isEmpty)
    }
}
