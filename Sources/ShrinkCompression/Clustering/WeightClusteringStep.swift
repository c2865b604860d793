import Foundation
import ShrinkTraining

/// Weight sharing (Deep Compression §3) as a pipeline step: k-means per layer, optional
/// centroid fine-tuning, palettes recorded in `parameterStates`, accuracy measured on the
/// context's validation set.
public struct WeightClusteringStep: CompressionStep {
    public var configuration: WeightClusteringConfiguration

    public init(configuration: WeightClusteringConfiguration) {
        self.configuration = configuration
    }

    public var kind: String { "weight-clustering" }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        let clock = ContinuousClock()
        let start = clock.now
        let clusterer = try WeightClusterer(configuration: configuration)
        try clusterer.prepare(model: model)
        let kind = kind
        context.progress(.phaseStarted(step: kind, phase: "k-means", total: clusterer.targets.count))
        try clusterer.cluster { completed, detail in
            context.progress(.phaseAdvanced(step: kind, phase: "k-means", completed: completed, detail: detail))
        }
        if let fineTuning = configuration.fineTuning, fineTuning.epochs > 0 {
            context.progress(.phaseStarted(step: kind, phase: "centroid fine-tuning", total: fineTuning.epochs))
            try clusterer.fineTune(model: model, context: context) { event in
                if case let .epochFinished(summary) = event {
                    context.progress(.fineTuningEpoch(step: kind, summary: summary))
                }
            }
        }
        clusterer.finalize(model: model)
        let accuracy = context.validation.count > 0
            ? Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy : nil
        let bitsUsed = Set(clusterer.targets.map(\.bits)).sorted().map(String.init).joined(separator: "/")
        var summary = "k-means \(configuration.initialization.rawValue) init, \(bitsUsed) bits, \(clusterer.targets.count) layers"
        if let fineTuning = configuration.fineTuning, fineTuning.epochs > 0 {
            summary += ", \(fineTuning.epochs) fine-tuning epochs at lr \(fineTuning.learningRate)"
        }
        let report = CompressionStepReport(
            kind: kind, summary: summary, layers: clusterer.report(), accuracyAfter: accuracy,
            seconds: Self.seconds(clock.now - start))
        model.stepReports.append(report)
        return report
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
