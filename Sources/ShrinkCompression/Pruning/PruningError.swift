import ShrinkNN
import ShrinkTraining

/// Why a pruning configuration is invalid or a pruning step could not run.
public enum PruningError: Error, Equatable, CustomStringConvertible {
    /// A sparsity or fraction outside its allowed range (`setting` names where it came from).
    case invalidSparsity(setting: String, value: Double)
    /// A standard-deviation multiplier (quality) that is negative or not finite.
    case invalidQuality(setting: String, value: Double)
    /// `method` is `globalSparsity` but `globalSparsity` is missing.
    case missingGlobalSparsity
    /// A schedule parameter out of range.
    case invalidSchedule(reason: String)
    /// The fine-tuning overrides are out of range.
    case invalidFineTuning(reason: String)
    /// The schedule needs fine-tuning steps the fine-tuning run does not have.
    case scheduleExceedsFineTuning(neededSteps: Int, availableSteps: Int)
    /// No parameter of the model is selected by the per-layer settings.
    case noLayersSelected
    /// The step was used before `prepare(model:)`.
    case notPrepared
    /// Structured pruning would remove every unit of a layer.
    case removesAllUnits(layer: String, units: Int, removed: Int)
    /// The architecture cannot be pruned structurally (e.g. nested `Sequential`s).
    case unsupportedArchitecture(reason: String)
    /// The smaller architecture or its parameters were rejected (a bug if it happens).
    case rebuildFailed(reason: String)
    /// Fine-tuning failed.
    case fineTuningFailed(TrainingError)

    public var description: String {
        switch self {
        case let .invalidSparsity(setting, value):
            "pruning setting \(setting) = \(value) must be a fraction in [0, 1)"
        case let .invalidQuality(setting, value):
            "pruning quality (standard deviations) \(setting) = \(value) must be finite and not negative"
        case .missingGlobalSparsity:
            "method globalSparsity needs a globalSparsity target"
        case let .invalidSchedule(reason):
            "invalid pruning schedule: \(reason)"
        case let .invalidFineTuning(reason):
            "invalid fine-tuning override: \(reason)"
        case let .scheduleExceedsFineTuning(neededSteps, availableSteps):
            "the pruning schedule needs \(neededSteps) fine-tuning steps but fine-tuning has only \(availableSteps) (more epochs or an earlier end step)"
        case .noLayersSelected:
            "the per-layer settings select no layer to prune"
        case .notPrepared:
            "the pruner was used before prepare(model:)"
        case let .removesAllUnits(layer, units, removed):
            "structured pruning would remove \(removed) of the \(units) units of layer \(layer); at least one must stay"
        case let .unsupportedArchitecture(reason):
            "cannot prune this architecture structurally: \(reason)"
        case let .rebuildFailed(reason):
            "could not build the pruned network: \(reason)"
        case let .fineTuningFailed(error):
            "fine-tuning after pruning failed: \(error)"
        }
    }
}
