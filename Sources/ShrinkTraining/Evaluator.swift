import ShrinkData
import ShrinkNN
import ShrinkTensor

/// The accuracy and loss of a classifier on a labelled dataset, with its per-sample predictions.
public struct EvaluationResult: Codable, Equatable, Sendable {
    /// The number of samples evaluated.
    public var samples: Int
    /// The fraction of samples whose label is the top-ranked class (0 for an empty dataset).
    public var top1Accuracy: Double
    /// The fraction of samples whose label is among the five top-ranked classes (every sample
    /// when there are at most five classes).
    public var top5Accuracy: Double
    /// The mean softmax cross-entropy.
    public var meanLoss: Double
    /// The predicted class (the top-ranked class) of every sample, in dataset order.
    public var predictions: [Int]
    /// The true class of every sample, in dataset order (for confusion matrices and the like).
    public var labels: [Int]

    public init(samples: Int, top1Accuracy: Double, top5Accuracy: Double, meanLoss: Double,
                predictions: [Int], labels: [Int]) {
        self.samples = samples
        self.top1Accuracy = top1Accuracy
        self.top5Accuracy = top5Accuracy
        self.meanLoss = meanLoss
        self.predictions = predictions
        self.labels = labels
    }
}

/// Measures a classifier in inference mode.
///
/// **Ranking rule (ties).** Classes are ranked by logit, highest first; equal logits are ordered
/// by class index, lowest first. The prediction is the rank-0 class (the first maximum, as
/// `numpy.argmax` and `torch.argmax` return), and a sample is top-k correct when its label's rank
/// is below k, i.e. when fewer than k classes have a strictly greater logit or an equal logit and
/// a lower index. Hence top-1 correct ⇔ prediction == label, and a model that outputs equal
/// logits for every class gets exactly the first k classes right, not all of them. NaN logits
/// never rank above another class; a sample whose label's logit is NaN is never counted correct.
public enum Evaluator {
    /// Evaluates `model` on `dataset` in batches of `batchSize` (inference mode).
    ///
    /// - Precondition: the model's output for a batch of `n` samples is `[n, dataset.classCount]`.
    public static func evaluate(model: any Layer, on dataset: LabeledDataset, batchSize: Int = 1000) -> EvaluationResult {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        let classCount = dataset.classCount
        var predictions = [Int]()
        predictions.reserveCapacity(dataset.count)
        var top1Correct = 0
        var top5Correct = 0
        var lossSum = 0.0
        for start in stride(from: 0, to: dataset.count, by: batchSize) {
            let batch = dataset.batch(at: start..<min(start + batchSize, dataset.count))
            let logits = model.forward(batch.inputs, mode: .inference) // [batch, classes]
            let rows = batch.labels.count
            precondition(logits.shape == [rows, classCount],
                         "model output \(logits.shape) is not [\(rows), \(classCount)]")
            logits.withUnsafeBufferPointer { buffer in
                for row in 0..<rows {
                    let rowLogits = buffer.baseAddress! + row * classCount
                    let label = batch.labels[row]
                    predictions.append(LogitRanking.argmax(rowLogits, count: classCount))
                    if let rank = LogitRanking.rank(of: label, in: rowLogits, count: classCount) {
                        if rank < 1 { top1Correct += 1 }
                        if rank < 5 { top5Correct += 1 }
                    }
                    lossSum += SoftmaxCrossEntropy.sampleLoss(logits: rowLogits, classCount: classCount, label: label)
                }
            }
        }
        let samples = dataset.count
        let denominator = Double(max(samples, 1))
        return EvaluationResult(
            samples: samples, top1Accuracy: Double(top1Correct) / denominator,
            top5Accuracy: Double(top5Correct) / denominator, meanLoss: lossSum / denominator,
            predictions: predictions, labels: dataset.labels)
    }
}
