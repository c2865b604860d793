import Foundation

/// How the learning rate changes over a training run, evaluated per optimizer step (batch).
///
/// `step` counts optimizer steps from 0 over the whole run; `totalSteps` is the run's number of
/// steps (epochs × batches per epoch); `stepsPerEpoch` converts steps to epochs.
public indirect enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The base learning rate throughout.
    case constant
    /// Multiplies the rate by `gamma` every `stepSize` epochs:
    /// `base · gamma^⌊epoch / stepSize⌋` with `epoch = ⌊step / stepsPerEpoch⌋`
    /// (torch's `StepLR` stepped once per epoch).
    case step(stepSize: Int, gamma: Float)
    /// Cosine annealing from the base rate down to `minimum` over all steps of the run:
    /// `minimum + (base − minimum) · (1 + cos(π · step / totalSteps)) / 2`
    /// (torch's `CosineAnnealingLR` with `T_max = totalSteps`, stepped once per batch).
    case cosine(minimum: Float)
    /// A linear warm-up over the first `steps` steps, `base · (step + 1) / steps`, so the last
    /// warm-up step runs at the full base rate; afterwards `then` applies as if the run started
    /// after the warm-up (`step − steps` out of `totalSteps − steps`).
    case warmup(steps: Int, then: LearningRateSchedule)

    /// The learning rate for the optimizer step `step` (0-based).
    public func learningRate(base: Float, step: Int, totalSteps: Int, stepsPerEpoch: Int) -> Float {
        precondition(step >= 0, "step must be non-negative, got \(step)")
        switch self {
        case .constant:
            return base
        case let .step(stepSize, gamma):
            precondition(stepSize > 0, "step size must be positive, got \(stepSize)")
            let epoch = step / max(1, stepsPerEpoch)
            return base * Float(pow(Double(gamma), Double(epoch / stepSize)))
        case let .cosine(minimum):
            guard totalSteps > 0 else { return base }
            let progress = Double(min(step, totalSteps)) / Double(totalSteps)
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case let .warmup(warmupSteps, schedule):
            if step < warmupSteps {
                return base * Float(step + 1) / Float(warmupSteps)
            }
            return schedule.learningRate(
                base: base, step: step - warmupSteps, totalSteps: max(0, totalSteps - warmupSteps),
                stepsPerEpoch: stepsPerEpoch)
        }
    }
}
