import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// The trainer hook of gradual and constant-sparsity pruning: a constraint that counts the
/// optimizer steps (the trainer applies constraints once before the first step and after every
/// step) and, at the steps the schedule names, prunes to the schedule's target; at every call it
/// keeps the current masks' zeros exactly zero.
///
/// Call `n` (0-based) happens after `n` optimizer steps, so step 0 is before training starts.
public final class ScheduledPruningConstraint: ParameterConstraint {
    public let pruner: MagnitudePruner
    public let schedule: PruningSchedule
    /// Optimizer steps seen so far.
    public private(set) var completedSteps = 0
    /// Called after every mask update with the step it happened at.
    private let onUpdate: (Int) -> Void
    private var maskConstraint: MaskConstraint

    /// - Parameters:
    ///   - pruner: a prepared pruner.
    ///   - onUpdate: called after each scheduled mask update with its step.
    public init(pruner: MagnitudePruner, schedule: PruningSchedule, onUpdate: @escaping (Int) -> Void = { _ in }) {
        self.pruner = pruner
        self.schedule = schedule
        self.onUpdate = onUpdate
        maskConstraint = MaskConstraint(masks: pruner.masks)
    }

    /// The target of the selected tensors after `step` optimizer steps for a final sparsity.
    public func target(finalSparsity: Double, atStep step: Int) -> Double {
        switch schedule {
        case let .gradual(initialSparsity, beginStep, endStep, _):
            PruningSchedule.polynomialTarget(
                finalSparsity: finalSparsity, initialSparsity: initialSparsity, step: step, beginStep: beginStep,
                endStep: endStep)
        case .oneShot, .iterative, .constant:
            finalSparsity
        }
    }

    public func apply(to parameters: [Parameter]) {
        let step = completedSteps
        if schedule.updatesMasks(atStep: step) {
            pruner.prune { self.target(finalSparsity: $0, atStep: step) }
            maskConstraint = MaskConstraint(masks: pruner.masks)
            onUpdate(step)
        }
        maskConstraint.apply(to: parameters)
        completedSteps += 1
    }
}
