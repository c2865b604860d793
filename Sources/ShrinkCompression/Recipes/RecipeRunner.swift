import ShrinkData
import ShrinkNN
import ShrinkTraining

/// What one recipe step did: the step's own report plus the runner's wall-clock time.
public struct RecipeStepOutcome: Codable, Equatable, Sendable {
    /// The position in `Recipe.steps`.
    public var index: Int
    /// The recipe key of the step (`weightClustering`).
    public var recipeKind: String
    public var report: CompressionStepReport
    /// Wall-clock seconds of the whole step as the runner measured it (compression time).
    public var seconds: Double

    public init(index: Int, recipeKind: String, report: CompressionStepReport, seconds: Double) {
        self.index = index
        self.recipeKind = recipeKind
        self.report = report
        self.seconds = seconds
    }
}

/// The outcome of a whole recipe run.
public struct RecipeRunResult: Codable, Equatable, Sendable {
    public var recipeName: String
    /// Top-1 validation accuracy of the model as it came in.
    public var accuracyBefore: Double?
    /// Top-1 validation accuracy at the end, measured on the network inference would run
    /// (activation quantization simulated where a step recorded it).
    public var accuracyAfter: Double?
    public var steps: [RecipeStepOutcome]
    /// The sum of the steps' seconds.
    public var totalSeconds: Double { steps.map(\.seconds).reduce(0, +) }

    public init(recipeName: String, accuracyBefore: Double?, accuracyAfter: Double?, steps: [RecipeStepOutcome]) {
        self.recipeName = recipeName
        self.accuracyBefore = accuracyBefore
        self.accuracyAfter = accuracyAfter
        self.steps = steps
    }
}

/// Runs a recipe's steps in order on a `CompressedModel`: builds each step from its
/// configuration, gives it a context whose fine-tuning configuration is the base with the
/// recipe's overrides, times it, and collects the reports and the final accuracy.
public struct RecipeRunner {
    public let recipe: Recipe

    /// - Throws: `RecipeError` when the recipe does not validate.
    public init(recipe: Recipe) throws(RecipeError) {
        try recipe.validate()
        self.recipe = recipe
    }

    /// Runs every step on `model`.
    /// - Parameters:
    ///   - baseFineTuning: the configuration the recipe's `fineTuning` overrides apply to.
    ///   - batchTransform: applied to every fine-tuning batch of every step (augmentation).
    ///   - progress: long-running work of the steps.
    ///   - stepStarted: called with the index and recipe key before each step.
    ///   - stepFinished: called after each step with its outcome.
    /// - Throws: `RecipeError.stepFailed` naming the step.
    public func run(
        on model: CompressedModel, training: LabeledDataset, validation: LabeledDataset,
        baseFineTuning: TrainingConfiguration = .recipeBase,
        batchTransform: (any TrainingBatchTransform)? = nil,
        progress: @escaping (CompressionProgress) -> Void = { _ in },
        stepStarted: (Int, String) -> Void = { _, _ in },
        stepFinished: (RecipeStepOutcome) -> Void = { _ in }
    ) throws(RecipeError) -> RecipeRunResult {
        var context = CompressionContext(
            training: training, validation: validation, fineTuning: recipe.fineTuning.applied(to: baseFineTuning),
            progress: progress)
        context.batchTransform = batchTransform
        if let distillation = recipe.fineTuning.distillation {
            // The teacher: a copy of the network as it is before the first step.
            let teacher: GraphNetwork
            do {
                teacher = try GraphNetwork(file: CompressedModel(network: model.network).modelFile())
            } catch {
                throw .stepFailed(index: 0, kind: "distillation teacher", reason: String(describing: error))
            }
            context.objective = DistillationObjective(
                teacher: teacher, loss: DistillationLoss(temperature: distillation.temperature, hardWeight: distillation.hardWeight))
        }
        let accuracyBefore = Self.accuracy(of: model, on: validation)
        var outcomes = [RecipeStepOutcome]()
        let clock = ContinuousClock()
        for (index, recipeStep) in recipe.steps.enumerated() {
            stepStarted(index, recipeStep.kind)
            let start = clock.now
            let report: CompressionStepReport
            do {
                report = try recipeStep.makeStep().apply(to: model, context: context)
            } catch {
                throw .stepFailed(index: index, kind: recipeStep.kind, reason: String(describing: error))
            }
            let (seconds, attoseconds) = (clock.now - start).components
            let outcome = RecipeStepOutcome(
                index: index, recipeKind: recipeStep.kind, report: report,
                seconds: Double(seconds) + Double(attoseconds) * 1e-18)
            outcomes.append(outcome)
            stepFinished(outcome)
        }
        return RecipeRunResult(
            recipeName: recipe.name, accuracyBefore: accuracyBefore,
            accuracyAfter: Self.accuracy(of: model, on: validation), steps: outcomes)
    }

    /// Top-1 accuracy of the network inference would run (quantized activations simulated),
    /// `nil` without validation data.
    public static func accuracy(of model: CompressedModel, on validation: LabeledDataset) -> Double? {
        guard validation.count > 0 else { return nil }
        let simulated = model.activationQuantization.isEmpty && model.dynamicActivationQuantization.isEmpty
        return simulated
            ? Evaluator.evaluate(model: model.network, on: validation).top1Accuracy
            : Evaluator.evaluate(model: QuantizedSimulationNetwork.make(model: model), on: validation).top1Accuracy
    }
}
