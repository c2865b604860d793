import Foundation
import ShrinkTraining

/// Knowledge distillation as a pipeline step: the current network teaches a fresh, smaller
/// student, which then replaces it. Later steps compress the student.
public struct DistillationStep: CompressionStep {
    public var configuration: DistillationConfiguration

    public init(configuration: DistillationConfiguration) {
        self.configuration = configuration
    }

    public var kind: String { "distillation" }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        let clock = ContinuousClock()
        let start = clock.now
        let distiller = try Distiller(configuration: configuration)
        try distiller.prepare(model: model)
        let hasValidation = context.validation.count > 0
        let teacherAccuracy = hasValidation ? Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy : nil
        let kind = kind
        context.progress(.phaseStarted(step: kind, phase: "training the student", total: configuration.epochs))
        try distiller.train(context: context) { event in
            if case let .epochFinished(summary) = event {
                context.progress(.fineTuningEpoch(step: kind, summary: summary))
            }
        }
        let teacherName = model.network.name
        let teacherParameters = model.network.trainableParameterCount
        distiller.finalize(model: model)
        let accuracy = hasValidation ? Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy : nil
        var summary = "student \(model.network.name) (\(model.network.trainableParameterCount) parameters) from teacher "
        summary += "\(teacherName) (\(teacherParameters) parameters), T = \(configuration.temperature), "
        summary += "α = \(configuration.hardLabelWeight), \(configuration.epochs) epochs"
        if let teacherAccuracy { summary += ", teacher accuracy \(String(format: "%.4f", teacherAccuracy))" }
        let report = CompressionStepReport(
            kind: kind, summary: summary, layers: distiller.report(), accuracyAfter: accuracy,
            seconds: WeightClusteringStep.seconds(clock.now - start))
        model.stepReports.append(report)
        return report
    }
}
