import ShrinkData
import ShrinkTensor

/// What the trainer minimizes: a loss of the model's output for one mini-batch.
///
/// The trainer calls it once per batch with the training-mode output and the batch itself (so an
/// objective may look at the inputs, e.g. to run a teacher model for distillation).
public protocol TrainingObjective {
    /// The mean loss over the batch and its gradient with respect to `outputs` (`[batch, classes]`).
    func lossAndGradient(outputs: Tensor, batch: Batch) -> LossResult
}

extension SoftmaxCrossEntropy: TrainingObjective {
    /// Cross-entropy against the batch's labels.
    public func lossAndGradient(outputs: Tensor, batch: Batch) -> LossResult {
        lossAndGradient(logits: outputs, labels: batch.labels)
    }
}
