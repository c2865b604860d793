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
    /// Graph surgery was given a channel group the graph does not have.
    case unknownChannelGroup(group: String)
    /// Graph surgery was asked to remove channels of a group that must keep them.
    case channelGroupNotPrunable(group: String, reason: String)
    /// The kept channels of a group are out of range, repeated or not ascending.
    case invalidKeptChannels(group: String, reason: String)
    /// Graph surgery would remove every channel of a group.
    case removesAllChannels(group: String, channels: Int)
    /// A weight needed to score channels is missing.
    case missingWeight(String)
    /// A weight does not have the axis or positions its node's channel coupling names.
    case channelWeightMismatch(weight: String, reason: String)
    /// A node whose channels change cannot be resized (`resizingChannels` returned nil).
    case cannotResizeNode(node: String, operatorType: String)
    /// The graph after surgery does not validate (a bug in an op's coupling or resizing).
    case prunedGraphInvalid(reason: String)
    /// A resized op declares a weight shape other than the sliced tensor's.
    case prunedWeightShapeMismatch(weight: String, declared: [Int], sliced: [Int])
    /// A value's inferred shape after surgery differs from the planned one.
    case prunedShapeMismatch(value: String, planned: String, inferred: String)

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
        case let .unknownChannelGroup(group):
            "the graph has no channel group '\(group)'"
        case let .channelGroupNotPrunable(group, reason):
            "channel group '\(group)' cannot lose channels: \(reason)"
        case let .invalidKeptChannels(group, reason):
            "the kept channels of group '\(group)' are invalid: \(reason)"
        case let .removesAllChannels(group, channels):
            "structured pruning would remove all \(channels) channels of group '\(group)'; at least one must stay"
        case let .missingWeight(name):
            "weight \(name) is missing"
        case let .channelWeightMismatch(weight, reason):
            "weight \(weight) does not match its channel coupling: \(reason)"
        case let .cannotResizeNode(node, operatorType):
            "node '\(node)' (\(operatorType)) cannot change its channel count"
        case let .prunedGraphInvalid(reason):
            "the pruned graph is invalid: \(reason)"
        case let .prunedWeightShapeMismatch(weight, declared, sliced):
            "after pruning, \(weight) is declared \(declared.isEmpty ? "nowhere" : "\(declared)") but sliced to \(sliced.isEmpty ? "nothing" : "\(sliced)")"
        case let .prunedShapeMismatch(value, planned, inferred):
            "after pruning, value '\(value)' was planned as \(planned) but is inferred as \(inferred)"
        }
    }
}
