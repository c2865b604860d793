import ShrinkCompression

/// Rough amounts of work for the demo's ETA: passes over training images, scaled per model by
/// the seconds per image the run itself measures.
enum DemoWorkEstimate {
    /// Training epochs a recipe runs (fine-tuning, quantization-aware training, distillation),
    /// plus half an epoch's worth for calibration and the accuracy measurements.
    static func epochs(of recipe: Recipe) -> Double {
        recipe.steps.reduce(0.5) { total, step in
            switch step {
            case let .magnitudePruning(configuration):
                let iterations = if case let .iterative(count, _) = configuration.schedule { count } else { 1 }
                return total + Double((configuration.fineTuneEpochs ?? 1) * iterations)
            case let .structuredPruning(configuration): return total + Double(configuration.fineTuneEpochs ?? 1)
            case let .weightClustering(configuration): return total + Double(configuration.fineTuning?.epochs ?? 0)
            case let .quantizationAwareTraining(configuration): return total + Double(configuration.epochs)
            // The teacher's forward pass is extra work beside the student's training.
            case let .distillation(configuration): return total + Double(configuration.epochs) * 1.3
            case .float16, .weightQuantization, .int8Dynamic, .int8Static: return total + 0.1
            }
        }
    }
}
