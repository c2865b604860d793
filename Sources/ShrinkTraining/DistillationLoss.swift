import ShrinkTensor

/// The knowledge-distillation loss of Hinton et al. (2015) for given student and teacher logits:
///
///     loss = hardWeight · CE(student, labels) + (1 − hardWeight) · T² · CE(softmax(student / T), softmax(teacher / T))
///
/// The `T²` factor keeps the soft term's gradient magnitude independent of the temperature. The
/// teacher's logits are constants (no gradient flows to the teacher).
public struct DistillationLoss: Sendable, Equatable, Codable {
    /// The softmax temperature `T > 0` of the soft term.
    public var temperature: Float
    /// The weight `α` in `[0, 1]` of the hard-label term.
    public var hardWeight: Float

    public init(temperature: Float, hardWeight: Float) {
        precondition(temperature > 0, "temperature must be positive, got \(temperature)")
        precondition((0...1).contains(hardWeight), "hard weight must be in [0, 1], got \(hardWeight)")
        self.temperature = temperature
        self.hardWeight = hardWeight
    }

    /// The combined loss and its gradient with respect to `studentLogits` (`[batch, classes]`).
    public func lossAndGradient(studentLogits: Tensor, teacherLogits: Tensor, labels: [Int]) -> LossResult {
        precondition(teacherLogits.shape == studentLogits.shape,
                     "teacher logits \(teacherLogits.shape) do not match student logits \(studentLogits.shape)")
        let crossEntropy = SoftmaxCrossEntropy()
        let hard = crossEntropy.lossAndGradient(logits: studentLogits, labels: labels)
        let targets = SoftmaxCrossEntropy.probabilities(logits: teacherLogits, temperature: temperature)
        let soft = crossEntropy.lossAndGradient(
            logits: studentLogits, targetProbabilities: targets, temperature: temperature)
        let softWeight = (1 - hardWeight) * temperature * temperature
        var gradient = hard.gradient // [batch, classes]
        gradient.withUnsafeMutableBufferPointer { combined in
            soft.gradient.withUnsafeBufferPointer { softGradient in
                for index in 0..<combined.count {
                    combined[index] = hardWeight * combined[index] + softWeight * softGradient[index]
                }
            }
        }
        return LossResult(loss: hardWeight * hard.loss + softWeight * soft.loss, gradient: gradient)
    }
}
