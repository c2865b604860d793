import Foundation
import ShrinkTensor

/// The value of a loss for one mini-batch and its gradient with respect to the model's output.
public struct LossResult: Sendable {
    /// The mean loss over the batch.
    public var loss: Float
    /// `∂loss/∂logits`, same shape as the logits (`[batch, classes]`).
    public var gradient: Tensor

    public init(loss: Float, gradient: Tensor) {
        self.loss = loss
        self.gradient = gradient
    }
}

/// Softmax followed by cross-entropy against integer class labels, averaged over the batch.
///
/// For logits `z` of one sample and its label `y`: `loss = logsumexp(z) − z_y`, computed with the
/// maximum subtracted first so that large logits cannot overflow. The gradient of the batch mean
/// is `(softmax(z) − onehot(y)) / batch`.
///
/// The soft-target form (`lossAndGradient(logits:targetProbabilities:temperature:)`) is the
/// building block of knowledge distillation; see `DistillationLoss`.
public struct SoftmaxCrossEntropy: Sendable {
    public init() {}

    /// The mean cross-entropy of `logits` (`[batch, classes]`) against `labels` and its gradient.
    ///
    /// - Precondition: `labels.count == batch`, every label in `0..<classes`.
    public func lossAndGradient(logits: Tensor, labels: [Int]) -> LossResult {
        precondition(logits.rank == 2, "logits must be [batch, classes], got \(logits.shape)")
        let batchSize = logits.shape[0]
        let classCount = logits.shape[1]
        precondition(labels.count == batchSize, "\(labels.count) labels for a batch of \(batchSize)")
        guard batchSize > 0 else { return LossResult(loss: 0, gradient: Tensor(zeros: logits.shape)) }
        var gradient = Tensor(zeros: logits.shape) // [batch, classes]
        let scale = 1 / Float(batchSize)
        var lossSum = 0.0
        logits.withUnsafeBufferPointer { logitBuffer in
            gradient.withUnsafeMutableBufferPointer { gradientBuffer in
                for row in 0..<batchSize {
                    let label = labels[row]
                    precondition(label >= 0 && label < classCount, "label \(label) out of range 0..<\(classCount)")
                    let input = logitBuffer.baseAddress! + row * classCount
                    let output = gradientBuffer.baseAddress! + row * classCount
                    // output ← exp(z − max); returns log Σ exp(z − max) + max.
                    let (logSumExp, sum) = Self.exponentiateShifted(input, count: classCount, temperature: 1, into: output)
                    lossSum += logSumExp - Double(input[label])
                    let normalizer = Float(1 / sum)
                    for index in 0..<classCount { output[index] *= normalizer * scale }
                    output[label] -= scale
                }
            }
        }
        return LossResult(loss: Float(lossSum / Double(batchSize)), gradient: gradient)
    }

    /// The mean cross-entropy of `softmax(logits / temperature)` against probability
    /// distributions, and its gradient with respect to `logits`.
    ///
    /// Per sample: `loss = −Σᵢ pᵢ · log softmax(z / T)ᵢ`; gradient `(softmax(z / T) − p) / (T · batch)`.
    /// The loss includes the targets' entropy (it is cross-entropy, not KL divergence), which
    /// does not change the gradient. Distillation multiplies this loss by `T²` so that its
    /// gradient scale does not depend on the temperature.
    ///
    /// - Parameters:
    ///   - logits: `[batch, classes]`.
    ///   - targetProbabilities: `[batch, classes]`, each row non-negative and summing to 1
    ///     (e.g. `SoftmaxCrossEntropy.probabilities(logits: teacherLogits, temperature: T)`).
    ///   - temperature: `T > 0`; 1 is the ordinary softmax.
    public func lossAndGradient(logits: Tensor, targetProbabilities: Tensor, temperature: Float = 1) -> LossResult {
        precondition(logits.rank == 2, "logits must be [batch, classes], got \(logits.shape)")
        precondition(targetProbabilities.shape == logits.shape,
                     "targets \(targetProbabilities.shape) do not match logits \(logits.shape)")
        precondition(temperature > 0, "temperature must be positive, got \(temperature)")
        let batchSize = logits.shape[0]
        let classCount = logits.shape[1]
        guard batchSize > 0 else { return LossResult(loss: 0, gradient: Tensor(zeros: logits.shape)) }
        var gradient = Tensor(zeros: logits.shape) // [batch, classes]
        let scale = 1 / (Float(batchSize) * temperature)
        let inverseTemperature = Double(1 / temperature)
        var lossSum = 0.0
        logits.withUnsafeBufferPointer { logitBuffer in
            targetProbabilities.withUnsafeBufferPointer { targetBuffer in
                gradient.withUnsafeMutableBufferPointer { gradientBuffer in
                    for row in 0..<batchSize {
                        let input = logitBuffer.baseAddress! + row * classCount
                        let target = targetBuffer.baseAddress! + row * classCount
                        let output = gradientBuffer.baseAddress! + row * classCount
                        let (logSumExp, sum) = Self.exponentiateShifted(
                            input, count: classCount, temperature: temperature, into: output)
                        let normalizer = Float(1 / sum)
                        for index in 0..<classCount {
                            let probability = target[index]
                            if probability != 0 {
                                // −p · log softmax(z/T) = p · (logsumexp(z/T) − z/T)
                                lossSum += Double(probability) * (logSumExp - Double(input[index]) * inverseTemperature)
                            }
                            output[index] = (output[index] * normalizer - probability) * scale
                        }
                    }
                }
            }
        }
        return LossResult(loss: Float(lossSum / Double(batchSize)), gradient: gradient)
    }

    /// `softmax(logits / temperature)` row by row: `[batch, classes]` → `[batch, classes]`.
    public static func probabilities(logits: Tensor, temperature: Float = 1) -> Tensor {
        precondition(logits.rank == 2, "logits must be [batch, classes], got \(logits.shape)")
        precondition(temperature > 0, "temperature must be positive, got \(temperature)")
        let batchSize = logits.shape[0]
        let classCount = logits.shape[1]
        var result = Tensor(zeros: logits.shape) // [batch, classes]
        logits.withUnsafeBufferPointer { logitBuffer in
            result.withUnsafeMutableBufferPointer { resultBuffer in
                for row in 0..<batchSize {
                    let output = resultBuffer.baseAddress! + row * classCount
                    let (_, sum) = exponentiateShifted(logitBuffer.baseAddress! + row * classCount,
                                                       count: classCount, temperature: temperature, into: output)
                    let normalizer = Float(1 / sum)
                    for index in 0..<classCount { output[index] *= normalizer }
                }
            }
        }
        return result
    }

    /// One sample's loss `logsumexp(z) − z_label` (used by evaluation).
    static func sampleLoss(logits: UnsafePointer<Float>, classCount: Int, label: Int) -> Double {
        var maximum = -Float.infinity
        for index in 0..<classCount { maximum = max(maximum, logits[index]) }
        var sum = 0.0
        for index in 0..<classCount { sum += Double(expf(logits[index] - maximum)) }
        return log(sum) + Double(maximum) - Double(logits[label])
    }

    /// Writes `exp((z − max z) / T)` to `output`; returns `log Σ exp(z / T)` and the sum of the
    /// written values (the softmax normalizer), both in Double.
    private static func exponentiateShifted(
        _ input: UnsafePointer<Float>, count: Int, temperature: Float, into output: UnsafeMutablePointer<Float>
    ) -> (logSumExp: Double, sum: Double) {
        var maximum = -Float.infinity
        for index in 0..<count { maximum = max(maximum, input[index]) }
        let inverseTemperature = 1 / temperature
        var sum = 0.0
        for index in 0..<count {
            let value = expf((input[index] - maximum) * inverseTemperature)
            output[index] = value
            sum += Double(value)
        }
        return (log(sum) + Double(maximum) * Double(inverseTemperature), sum)
    }
}
