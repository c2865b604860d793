import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// One step of a compression pipeline (prune, quantize, cluster, distill, ...).
///
/// Each technique implements its own explicit lifecycle (prepare → calibrate / step → finalize,
/// as in torch.ao.pruning and coremltools) and wraps it in a step so that recipes can chain
/// techniques. A step changes `model` in place (or replaces `model.network`), appends its report
/// to `model.stepReports` and returns it.
public protocol CompressionStep {
    /// A stable identifier of the technique, e.g. `magnitude-pruning`.
    var kind: String { get }
    /// Runs the step. Fine-tuning, where the technique uses it, happens inside with
    /// `context.fineTuning` and keeps `context.constraints(for:)` satisfied.
    func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport
}

/// What a step may use besides the model: data, the fine-tuning recipe, and a progress sink.
public struct CompressionContext {
    /// Training data for fine-tuning and calibration.
    public var training: LabeledDataset
    /// Held-out data the step's reported accuracy is measured on.
    public var validation: LabeledDataset
    /// The base configuration fine-tuning steps start from (epochs and learning rate may be
    /// overridden per step).
    public var fineTuning: TrainingConfiguration
    /// Receives progress of long work (fine-tuning epochs, calibration batches, k-means).
    public var progress: (CompressionProgress) -> Void
    /// What fine-tuning minimizes: cross-entropy with the labels, or knowledge distillation from
    /// the model before the recipe (`FineTuningOverrides.distillation`).
    public var objective: any TrainingObjective = SoftmaxCrossEntropy()
    /// Applied to every fine-tuning batch (data augmentation, e.g. CIFAR-10's crops and flips),
    /// by every step that trains; `nil` trains on the samples as they are.
    public var batchTransform: (any TrainingBatchTransform)? = nil

    public init(
        training: LabeledDataset, validation: LabeledDataset, fineTuning: TrainingConfiguration,
        progress: @escaping (CompressionProgress) -> Void = { _ in }
    ) {
        self.training = training
        self.validation = validation
        self.fineTuning = fineTuning
        self.progress = progress
    }

    /// A trainer for a step's fine-tuning: the context's objective and batch transform, with
    /// `constraints` held throughout.
    public func trainer(
        objective: (any TrainingObjective)? = nil, constraints: [any ParameterConstraint]
    ) -> Trainer {
        Trainer(objective: objective ?? self.objective, constraints: constraints, batchTransform: batchTransform)
    }

    /// The constraints earlier steps established and fine-tuning must keep: pruning masks stay
    /// zero, shared weights stay shared.
    ///
    /// Masks come first, then one `SharedWeightConstraint(palettesOf:)` over every parameter
    /// with a palette (its centroids move with the summed member updates, Deep Compression
    /// eq. 3; a pruned parameter's reserved zero stays 0), wrapped so that the model's recorded
    /// palettes follow the fine-tuned centroids. A step that re-clusters a parameter forgets its
    /// palette first (`WeightClusterer.prepare`), so no parameter is shared by two constraints.
    /// A palette that no longer fits its mask (the parameter was pruned again after clustering,
    /// so a kept palette index sits on a pruned position) is left out: the mask wins.
    public func constraints(for model: CompressedModel) -> [any ParameterConstraint] {
        var masks = [String: Tensor]()
        for (name, state) in model.parameterStates {
            if let mask = state.mask { masks[name] = mask }
        }
        var constraints: [any ParameterConstraint] = masks.isEmpty ? [] : [MaskConstraint(masks: masks)]
        let hasPalettes = model.parameterStates.values.contains { state in
            state.palette.map { Self.paletteFitsMask($0, mask: state.mask) } ?? false
        }
        if hasPalettes {
            constraints.append(PaletteTrackingConstraint(model: model))
        }
        return constraints
    }

    /// Whether every masked (pruned) position uses the palette's reserved zero (index 0 with
    /// centroid 0); true without a mask.
    static func paletteFitsMask(_ palette: Palette, mask: Tensor?) -> Bool {
        guard let mask else { return true }
        guard mask.count == palette.indices.count else { return false }
        let zeroIsReserved = palette.centroids.first == 0
        return mask.withUnsafeBufferPointer { mask in
            palette.indices.withUnsafeBufferPointer { indices in
                for element in 0..<indices.count where mask[element] == 0 {
                    if !zeroIsReserved || indices[element] != 0 { return false }
                }
                return true
            }
        }
    }
}

/// Keeps the model's palettes shared while a later step fine-tunes: a
/// `SharedWeightConstraint(palettesOf:)` over the palettes that fit their masks, whose moved
/// centroids are written back to `model.parameterStates` after every application so that the
/// recorded palette always describes the network's values.
final class PaletteTrackingConstraint: ParameterConstraint {
    let shared: SharedWeightConstraint
    private unowned let model: CompressedModel

    init(model: CompressedModel) {
        self.model = model
        let fitting = CompressedModel(network: model.network)
        fitting.parameterStates = model.parameterStates.filter { _, state in
            state.palette.map { CompressionContext.paletteFitsMask($0, mask: state.mask) } ?? false
        }
        shared = SharedWeightConstraint(palettesOf: fitting)
    }

    func apply(to parameters: [Parameter]) {
        shared.apply(to: parameters)
        for (name, weights) in shared.sharedWeights {
            model.parameterStates[name]?.palette = weights.palette
        }
    }
}

/// Progress of a long-running part of a step.
public enum CompressionProgress: Sendable {
    /// A phase started, e.g. "fine-tuning" with 3 epochs as `total`.
    case phaseStarted(step: String, phase: String, total: Int)
    /// `completed` of the phase's `total` units are done; `detail` is a short status ("loss 0.12").
    case phaseAdvanced(step: String, phase: String, completed: Int, detail: String)
    /// A fine-tuning epoch ended.
    case fineTuningEpoch(step: String, summary: EpochSummary)
}

/// What one step did, overall and per layer: the `report()` of the technique.
public struct CompressionStepReport: Codable, Equatable, Sendable {
    /// The technique (`CompressionStep.kind`).
    public var kind: String
    /// A one-line human description of the settings, e.g. "magnitude, 92 % target, 3 iterations".
    public var summary: String
    public var layers: [LayerCompressionReport]
    /// Top-1 accuracy on the validation set after the step (and its fine-tuning).
    public var accuracyAfter: Double?
    /// Wall-clock seconds the step took, fine-tuning included.
    public var seconds: Double

    public init(kind: String, summary: String, layers: [LayerCompressionReport], accuracyAfter: Double?, seconds: Double) {
        self.kind = kind
        self.summary = summary
        self.layers = layers
        self.accuracyAfter = accuracyAfter
        self.seconds = seconds
    }
}

/// What a step did to one parameter tensor.
public struct LayerCompressionReport: Codable, Equatable, Sendable {
    /// The parameter's full name, e.g. `fc1.weight`.
    public var parameter: String
    /// The layer type (`linear`, `conv2d`).
    public var layerType: String
    /// Elements of the tensor.
    public var elements: Int
    /// Elements that are not zero after the step.
    public var nonZero: Int
    /// Bits per stored value, when quantized or clustered.
    public var bits: Int?
    /// Distinct shared values, when clustered.
    public var clusters: Int?
    /// A short note on anything else ("per-channel", "kept 37 of 50 filters").
    public var note: String?

    public init(parameter: String, layerType: String, elements: Int, nonZero: Int, bits: Int? = nil,
                clusters: Int? = nil, note: String? = nil) {
        self.parameter = parameter
        self.layerType = layerType
        self.elements = elements
        self.nonZero = nonZero
        self.bits = bits
        self.clusters = clusters
        self.note = note
    }

    /// Fraction of elements that are zero.
    public var sparsity: Double { elements == 0 ? 0 : 1 - Double(nonZero) / Double(elements) }
}
