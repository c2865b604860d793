import Foundation
import ShrinkTensor

/// The knowledge-distillation loss of Hinton et al. (2015) for given student and teacher logits:
///
///     loss = hardWeight · CE(student, labels) + (1 − hardWeight) · T² · KL(softmax(teacher / T) ‖ softmax(student / T))
///
/// The `T²` factor keeps the soft term's gradient magnitude independent of the temperature. The
/// teacher's logits are constants (no gradient flows to the teacher). The soft term is the
/// Kullback–Leibler divergence, the cross-entropy minus the teacher's own entropy: the same
/// gradient as Hinton et al.'s cross-entropy, but 0 when the student matches the teacher, so the
/// reported loss reads as a distance (with the cross-entropy, T = 10 adds about T² · ln 10 ≈ 200
/// of the teacher's entropy to every figure).
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
        let teacherEntropy = Self.meanEntropy(targets)
        var gradient = hard.gradient // [batch, classes]
        gradient.withUnsafeMutableBufferPointer { combined in
            soft.gradient.withUnsafeBufferPointer { softGradient in
                for index in 0..<combined.count {
                    combined[index] = hardWeight * combined[index] + softWeight * softGradient[index]
                }
            }
        }
        return LossResult(loss: hardWeight * hard.loss + softWeight * (soft.loss - teacherEntropy), gradient: gradient)
    }

    /// The mean over rows of `−Σ p log p` of probabilities `[batch, classes]`.
    static func meanEntropy(_ probabilities: Tensor) -> Float {
        let rows = probabilities.shape[0]
        guard rows > 0 else { return 0 }
        var total = 0.0
        probabilities.withUnsafeBufferPointer { p in
            for value in p where value > 0 { total -= Double(value) * Foundation.log(Double(value)) }
        }
        return Float(total / Double(rows))
    }
}
