import Foundation
import ShrinkBenchmarking
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN

/// One recipe run on a model file, up to the compressed file to write: what `shrink compress`
/// and `shrink demo` both do. The accuracy before and after is measured by running the input
/// file and the compressed file's bytes with the runtime (what is measured is what ships).
struct CompressionJob {
    /// The recipe, with any command-line overrides applied.
    var recipe: Recipe
    /// Threads the runtime uses to measure the accuracy of the files.
    var threads: Int
    /// Whether the file records when it was written and each step's seconds (otherwise the same
    /// inputs give byte-identical files; the seconds are still in the outcome).
    var recordsTimes: Bool
    /// Applied to every fine-tuning batch (CIFAR-10's crops and flips), or `nil`.
    var augmentation: ImageAugmentation? = nil

    /// What a run gives.
    struct Outcome {
        /// The compressed model (its network holds the values inference uses).
        var model: CompressedModel
        /// The runner's result: every step's report and seconds.
        var result: RecipeRunResult
        /// Top-1 of the input file run by the runtime (nil without test data).
        var accuracyBefore: Double?
        /// Top-1 of the compressed file's bytes run by the runtime (nil without test data).
        var accuracyAfter: Double?
        /// The recipe, its steps with their seconds and the measured accuracies.
        var compression: CompressionSummary
        /// The file to write (step seconds and a creation time only when `recordsTimes`).
        var file: ModelFile
    }

    /// Runs every step of the recipe on the network of `modelFile`.
    /// - Parameters:
    ///   - network: the network of `modelFile` (a recipe file's layer patterns may have been
    ///     checked against it already).
    ///   - progress, stepStarted, stepFinished: the runner's callbacks.
    func run(
        modelFile: ModelFile, network: GraphNetwork, training: LabeledDataset, test: LabeledDataset,
        progress: @escaping (CompressionProgress) -> Void = { _ in },
        stepStarted: (Int, String) -> Void = { _, _ in },
        stepFinished: (RecipeStepOutcome) -> Void = { _ in }
    ) throws -> Outcome {
        let runner = try RecipeRunner(recipe: recipe)
        let model = CompressedModel(network: network)
        let result = try runner.run(
            on: model, training: training, validation: test, batchTransform: augmentation, progress: progress, stepStarted: stepStarted,
            stepFinished: stepFinished)
        let shipped = try ModelFile.decode(model.modelFile().encoded())
        let before = try PlanEvaluation.evaluate(file: modelFile, testSet: test, batchSize: 1000, threads: threads)
        let after = try PlanEvaluation.evaluate(file: shipped, testSet: test, batchSize: 1000, threads: threads)
        let compression = CompressionSummary(
            recipe: recipe.name,
            steps: result.steps.map {
                // Milliseconds are what a reader can use; nanosecond digits only lengthen the manifest.
                CompressionStepSummary(kind: $0.recipeKind, summary: $0.report.summary, seconds: ($0.seconds * 1000).rounded() / 1000)
            },
            testAccuracyBefore: before?.accuracy.top1, testAccuracyAfter: after?.accuracy.top1)
        var stored = compression
        if !recordsTimes { stored.steps = stored.steps.map { CompressionStepSummary(kind: $0.kind, summary: $0.summary, seconds: nil) } }
        // No free-text note: the compression summary holds the recipe, its steps and the measured
        // accuracies, and every byte of a small model's manifest shows in its ratio.
        let file = try model.modelFile(metadata: ModelMetadata(
            createdAt: recordsTimes ? ModelMetadata.timestamp(for: Date()) : nil, compression: stored))
        return Outcome(
            model: model, result: result, accuracyBefore: before?.accuracy.top1, accuracyAfter: after?.accuracy.top1,
            compression: compression, file: file)
    }
}
