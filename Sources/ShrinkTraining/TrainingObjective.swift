import ShrinkData
import ShrinkNN
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

/// Knowledge distillation: the student (the model being trained) learns from the batch's labels
/// and from a fixed teacher model's softened outputs, combined by `DistillationLoss`.
///
/// The teacher runs in inference mode on every batch and is never updated.
public struct DistillationObjective: TrainingObjective {
    /// The trained model whose outputs serve as soft targets.
    public let teacher: any Layer
    public var loss: DistillationLoss

    public init(teacher: any Layer, loss: DistillationLoss) {
        self.teacher = teacher
        self.loss = loss
    }

    public func lossAndGradient(outputs: Tensor, batch: Batch) -> LossResult {
        let teacherLogits = teacher.forward(batch.inputs, mode: .inference) // [batch, classes]
        return loss.lossAndGradient(studentLogits: outputs, teacherLogits: teacherLogits, labels: batch.labels)
    }
}
