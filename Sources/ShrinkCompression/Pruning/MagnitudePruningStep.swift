import ShrinkNN
import ShrinkTraining

/// Unstructured magnitude pruning as a pipeline step (`kind` `magnitude-pruning`): prunes the
/// selected tensors on the configured schedule with fine-tuning, records the masks in
/// `model.parameterStates`, and reports per tensor.
public struct MagnitudePruningStep: CompressionStep {
    public typealias Configuration = MagnitudePruningConfiguration

    public static let kind = "magnitude-pruning"
    public var kind: String { Self.kind }
    public let configuration: Configuration

    /// - Throws: `PruningError` when the configuration is invalid.
    public init(configuration: Configuration) throws(PruningError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        let clock = ContinuousClock()
        let start = clock.now
        let pruner = try MagnitudePruner(configuration: configuration)
        try pruner.prepare(model: model)
        let fineTuning = PruningFineTuning.configuration(
            base: context.fineTuning, epochs: configuration.fineTuneEpochs, learningRate: configuration.learningRate)
        let kind = kind

        switch configuration.schedule {
        case .oneShot:
            context.progress(.phaseStarted(step: kind, phase: "pruning", total: 1))
            try pruner.step { $0 }
            context.progress(.phaseAdvanced(step: kind, phase: "pruning", completed: 1, detail: "pruned to target"))
            try PruningFineTuning.run(model: model, context: context, configuration: fineTuning, stepKind: kind)
        case let .iterative(iterations, spacing):
            context.progress(.phaseStarted(step: kind, phase: "pruning", total: iterations))
            for iteration in 1...iterations {
                try pruner.step {
                    PruningSchedule.iterativeTarget(
                        finalSparsity: $0, iteration: iteration, iterations: iterations, spacing: spacing)
                }
                try PruningFineTuning.run(model: model, context: context, configuration: fineTuning, stepKind: kind)
                context.progress(.phaseAdvanced(
                    step: kind, phase: "pruning", completed: iteration, detail: "iteration \(iteration) of \(iterations)"))
            }
        case .gradual, .constant:
            let schedule = configuration.schedule
            let available = PruningFineTuning.totalSteps(configuration: fineTuning, training: context.training)
            let needed = schedule.lastMaskUpdateStep ?? 0
            guard needed <= available else { throw PruningError.scheduleExceedsFineTuning(neededSteps: needed, availableSteps: available) }
            if fineTuning.epochs == 0 {
                // No training run to hook into (only possible with a schedule ending at step 0).
                try pruner.step { $0 }
            } else {
                context.progress(.phaseStarted(step: kind, phase: "pruning", total: needed + 1))
                let hook = ScheduledPruningConstraint(pruner: pruner, schedule: schedule) { step in
                    context.progress(.phaseAdvanced(step: kind, phase: "pruning", completed: step + 1, detail: "masks updated at step \(step)"))
                }
                try PruningFineTuning.run(
                    model: model, context: context, configuration: fineTuning, extraConstraints: [hook], stepKind: kind)
            }
        }
        try pruner.finalize()

        let accuracy = context.validation.count > 0
            ? Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy : nil
        let report = CompressionStepReport(
            kind: kind, summary: configuration.summary, layers: pruner.report(), accuracyAfter: accuracy,
            seconds: PruningClock.seconds(clock.now - start))
        model.stepReports.append(report)
        return report
    }
}

/// Converts durations to seconds for reports.
enum PruningClock {
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
