import ShrinkNN
import ShrinkTraining

/// Structured L1 pruning as a pipeline step (`kind` `structured-pruning`): removes the output
/// units / filters with the smallest L1 norms, really shrinking the network, then fine-tunes.
public struct StructuredPruningStep: CompressionStep {
    public typealias Configuration = StructuredPruningConfiguration

    public static let kind = "structured-pruning"
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
        let pruner = try StructuredPruner(configuration: configuration)
        try pruner.prepare(model: model)
        context.progress(.phaseStarted(step: kind, phase: "removing units", total: 1))
        try pruner.finalize()
        context.progress(.phaseAdvanced(step: kind, phase: "removing units", completed: 1, detail: "network rebuilt"))
        let fineTuning = PruningFineTuning.configuration(
            base: context.fineTuning, epochs: configuration.fineTuneEpochs, learningRate: configuration.learningRate)
        try PruningFineTuning.run(model: model, context: context, configuration: fineTuning, stepKind: kind)

        let accuracy = context.validation.count > 0
            ? Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy : nil
        let removed = pruner.plans.reduce(0) { $0 + $1.units - $1.kept.count }
        let report = CompressionStepReport(
            kind: kind, summary: "structured L1, removed \(removed) channels in \(pruner.plans.count) channel groups",
            layers: pruner.report(), accuracyAfter: accuracy, seconds: PruningClock.seconds(clock.now - start))
        model.stepReports.append(report)
        return report
    }
}
