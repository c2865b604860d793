import Foundation
import ShrinkTensor
import Testing
@testable import ShrinkTraining

@Suite("Softmax cross-entropy")
struct SoftmaxCrossEntropyTests {
    let loss = SoftmaxCrossEntropy()

    @Test("equal logits give log(classes) and gradient (1/C − onehot)/batch")
    func uniformLogits() {
        let result = loss.lossAndGradient(logits: Tensor(zeros: [2, 4]), labels: [1, 3])
        #expect(abs(result.loss - Float(log(4.0))) < 1e-6)
        let expected: [Float] = [0.125, -0.375, 0.125, 0.125, 0.125, 0.125, 0.125, -0.375]
        for (actual, wanted) in zip(result.gradient.scalars, expected) { #expect(abs(actual - wanted) < 1e-7) }
    }

    @Test("large logits stay finite (log-sum-exp with the maximum subtracted)")
    func largeLogits() {
        let logits = Tensor(shape: [2, 2], scalars: [1000, 0, -1000, 1000])
        let result = loss.lossAndGradient(logits: logits, labels: [1, 1])
        // Sample 0: loss 1000, softmax ≈ (1, 0); sample 1: loss ≈ 0.
        #expect(abs(result.loss - 500) < 1e-3)
        #expect(result.gradient.scalars.allSatisfy { $0.isFinite })
        #expect(abs(result.gradient.scalars[0] - 0.5) < 1e-6 && abs(result.gradient.scalars[1] + 0.5) < 1e-6)
    }

    @Test("hard-label gradient matches central finite differences")
    func hardGradient() {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let logits = Tensor.randomNormal(shape: [3, 5], standardDeviation: 2, using: &generator)
        let labels = [4, 0, 2]
        let analytic = loss.lossAndGradient(logits: logits, labels: labels).gradient
        let numeric = finiteDifferences(logits) { loss.lossAndGradient(logits: $0, labels: labels).loss }
        for (a, n) in zip(analytic.scalars, numeric) { #expect(abs(a - n) < 2e-3) }
    }

    @Test("soft-target gradient matches finite differences at temperature 3")
    func softGradient() {
        var generator = SeededRandomNumberGenerator(seed: 12)
        let logits = Tensor.randomNormal(shape: [2, 4], standardDeviation: 2, using: &generator)
        let teacher = Tensor.randomNormal(shape: [2, 4], standardDeviation: 2, using: &generator)
        let targets = SoftmaxCrossEntropy.probabilities(logits: teacher, temperature: 3)
        let analytic = loss.lossAndGradient(logits: logits, targetProbabilities: targets, temperature: 3).gradient
        let numeric = finiteDifferences(logits) {
            loss.lossAndGradient(logits: $0, targetProbabilities: targets, temperature: 3).loss
        }
        for (a, n) in zip(analytic.scalars, numeric) { #expect(abs(a - n) < 1e-3) }
    }

    @Test("one-hot soft targets at temperature 1 equal the hard-label loss")
    func oneHotTargetsMatchHardLabels() {
        let logits = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 3, 0, -2])
        let oneHot = Tensor(shape: [2, 3], scalars: [0, 1, 0, 1, 0, 0])
        let hard = loss.lossAndGradient(logits: logits, labels: [1, 0])
        let soft = loss.lossAndGradient(logits: logits, targetProbabilities: oneHot)
        #expect(abs(hard.loss - soft.loss) < 1e-6)
        for (h, s) in zip(hard.gradient.scalars, soft.gradient.scalars) { #expect(abs(h - s) < 1e-7) }
    }

    @Test("probabilities: rows sum to one, temperature flattens")
    func probabilities() {
        let logits = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let sharp = SoftmaxCrossEntropy.probabilities(logits: logits)
        let flat = SoftmaxCrossEntropy.probabilities(logits: logits, temperature: 10)
        #expect(abs(sharp.scalars.reduce(0, +) - 1) < 1e-6)
        // softmax([1, 2, 3])₂ = e² / (1 + e + e²)
        #expect(abs(sharp.scalars[2] - Float(exp(2.0) / (1 + exp(1.0) + exp(2.0)))) < 1e-6)
        #expect(flat.scalars[2] < sharp.scalars[2] && flat.scalars[0] > sharp.scalars[0])
    }

    @Test("distillation: α·hard + (1−α)·T²·soft, gradient matches finite differences")
    func distillation() {
        var generator = SeededRandomNumberGenerator(seed: 13)
        let student = Tensor.randomNormal(shape: [3, 4], using: &generator)
        let teacher = Tensor.randomNormal(shape: [3, 4], standardDeviation: 3, using: &generator)
        let labels = [0, 3, 1]
        let distillation = DistillationLoss(temperature: 4, hardWeight: 0.3)
        let result = distillation.lossAndGradient(studentLogits: student, teacherLogits: teacher, labels: labels)
        let hard = loss.lossAndGradient(logits: student, labels: labels).loss
        let soft = loss.lossAndGradient(
            logits: student, targetProbabilities: SoftmaxCrossEntropy.probabilities(logits: teacher, temperature: 4),
            temperature: 4).loss
        // The soft term is the KL divergence: the cross-entropy minus the teacher's entropy.
        let targets = SoftmaxCrossEntropy.probabilities(logits: teacher, temperature: 4).scalars
        let entropy = -targets.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) } / 3
        #expect(abs(result.loss - (0.3 * hard + 0.7 * 16 * (soft - entropy))) < 1e-4)
        // A student equal to the teacher has no soft loss left.
        let matched = DistillationLoss(temperature: 4, hardWeight: 0).lossAndGradient(
            studentLogits: teacher, teacherLogits: teacher, labels: labels)
        #expect(abs(matched.loss) < 1e-4)
        let numeric = finiteDifferences(student) {
            distillation.lossAndGradient(studentLogits: $0, teacherLogits: teacher, labels: labels).loss
        }
        for (a, n) in zip(result.gradient.scalars, numeric) { #expect(abs(a - n) < 3e-3) }
    }

    /// Central differences of a scalar function of a tensor, one element at a time.
    private func finiteDifferences(_ point: Tensor, step: Float = 1e-2, _ function: (Tensor) -> Float) -> [Float] {
        (0..<point.count).map { index in
            var plus = point
            var minus = point
            plus.scalars[index] += step
            minus.scalars[index] -= step
            return (function(plus) - function(minus)) / (2 * step)
        }
    }
}
