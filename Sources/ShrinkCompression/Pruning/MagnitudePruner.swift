import Foundation
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// The lifecycle of magnitude pruning on one `CompressedModel`:
/// `prepare(model:)` selects the tensors and fixes the final targets → `step(target:)` prunes to
/// an intermediate (or the final) target, as often as the schedule says, with fine-tuning in
/// between → `finalize()` re-applies the masks to the values → `report()`.
///
/// Every step computes masks under `MagnitudeMasking`'s counting rule, combines them with the
/// masks already recorded in `model.parameterStates` (pruned stays pruned), stores them there
/// and sets the pruned values to exactly zero.
public final class MagnitudePruner {
    /// One tensor being pruned.
    public struct Target: Equatable, Sendable {
        /// The parameter's full name (`fc1.weight`).
        public var parameter: String
        /// The owning layer's type name (`linear`, `conv2d`).
        public var layerType: String
        /// The final sparsity of this tensor (nil under global pruning, where only the overall
        /// sparsity is fixed).
        public var finalSparsity: Double?
        /// For the standard-deviation method: the threshold `quality · std` it was derived from.
        public var threshold: Float?
    }

    public let configuration: MagnitudePruningConfiguration
    /// The selected tensors in network order (empty before `prepare`).
    public private(set) var targets: [Target] = []
    /// How many times the tensors were pruned since `prepare`.
    public private(set) var stepsTaken = 0
    private var model: CompressedModel?

    /// - Throws: `PruningError` when the configuration is invalid.
    public init(configuration: MagnitudePruningConfiguration) throws(PruningError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Selects the weight tensors (and, if configured, biases) of the layers the per-layer
    /// settings resolve for, and fixes their final targets from the current values.
    /// - Throws: `PruningError.noLayersSelected` when nothing is selected.
    public func prepare(model: CompressedModel) throws(PruningError) {
        var targets: [Target] = []
        for (layer, weight) in model.weightLayers {
            let layerType = layer.typeName
            guard let setting = configuration.layers.resolve(layerName: layer.name, layerType: layerType) else { continue }
            var tensors = [weight]
            if configuration.pruneBiases, let bias = model.bias(of: layer) {
                tensors.append(bias)
            }
            for parameter in tensors {
                var target = Target(parameter: parameter.name, layerType: layerType, finalSparsity: nil, threshold: nil)
                switch configuration.method {
                case .layerSparsity:
                    target.finalSparsity = setting
                case .standardDeviationThreshold:
                    let threshold = Float(setting * MagnitudeMasking.standardDeviation(of: parameter.value))
                    let below = MagnitudeMasking.countBelow(
                        threshold: threshold, in: parameter.value, existing: model.parameterStates[parameter.name]?.mask)
                    target.threshold = threshold
                    target.finalSparsity = parameter.value.count == 0 ? 0 : Double(below) / Double(parameter.value.count)
                case .globalSparsity:
                    break
                }
                targets.append(target)
            }
        }
        guard !targets.isEmpty else { throw .noLayersSelected }
        self.targets = targets
        self.model = model
        stepsTaken = 0
    }

    /// Prunes every selected tensor to `target(final)`, where `final` is the tensor's final
    /// sparsity (or the global one): `{ $0 }` prunes to the final target.
    /// - Throws: `PruningError.notPrepared` before `prepare(model:)`.
    public func step(target: (_ finalSparsity: Double) -> Double) throws(PruningError) {
        guard model != nil else { throw .notPrepared }
        prune(target: target)
    }

    /// `step(target:)` without the preparation check (for the schedule's trainer hook).
    func prune(target: (_ finalSparsity: Double) -> Double) {
        guard let model else { preconditionFailure("MagnitudePruner used before prepare(model:)") }
        let parameters = targets.map { target -> Parameter in
            guard let parameter = model.network.parameter(named: target.parameter) else {
                preconditionFailure("parameter \(target.parameter) vanished from the network")
            }
            return parameter
        }
        let existing = targets.map { model.parameterStates[$0.parameter]?.mask }
        let masks: [Tensor]
        if configuration.method == .globalSparsity {
            let total = parameters.reduce(0) { $0 + $1.value.count }
            let pruned = MagnitudeMasking.prunedCount(sparsity: target(configuration.globalSparsity ?? 0), elements: total)
            masks = MagnitudeMasking.globalMasks(for: parameters.map(\.value), existing: existing, prunedCount: pruned)
        } else {
            masks = zip(targets, parameters).enumerated().map { index, pair in
                let pruned = MagnitudeMasking.prunedCount(
                    sparsity: target(pair.0.finalSparsity ?? 0), elements: pair.1.value.count)
                return MagnitudeMasking.mask(for: pair.1.value, existing: existing[index], prunedCount: pruned)
            }
        }
        for (parameter, mask) in zip(parameters, masks) {
            parameter.value = MagnitudeMasking.applying(mask, to: parameter.value)
            var state = model.state(of: parameter.name)
            state.mask = mask
            model.parameterStates[parameter.name] = state
        }
        stepsTaken += 1
    }

    /// The current masks of the selected tensors, by parameter name.
    public var masks: [String: Tensor] {
        guard let model else { return [:] }
        var masks = [String: Tensor]()
        for target in targets { if let mask = model.parameterStates[target.parameter]?.mask { masks[target.parameter] = mask } }
        return masks
    }

    /// Re-applies the recorded masks to the values (pruned elements exactly zero) after the last
    /// fine-tuning.
    /// - Throws: `PruningError.notPrepared` before `prepare(model:)`.
    public func finalize() throws(PruningError) {
        guard let model else { throw .notPrepared }
        MaskConstraint(masks: masks).apply(to: model.network.parameters)
    }

    /// Per selected tensor: elements, non-zero values now, and the target in the note.
    public func report() -> [LayerCompressionReport] {
        guard let model else { return [] }
        return targets.compactMap { target in
            guard let value = model.network.parameter(named: target.parameter)?.value else { return nil }
            let nonZero = MagnitudeMasking.nonZeroCount(of: value)
            var note = "sparsity \(Self.format(1 - Double(nonZero) / Double(max(1, value.count))))"
            if let threshold = target.threshold { note += ", threshold \(threshold)" }
            if let final = target.finalSparsity { note += ", target \(Self.format(final))" }
            return LayerCompressionReport(
                parameter: target.parameter, layerType: target.layerType, elements: value.count, nonZero: nonZero,
                note: note)
        }
    }

    static func format(_ fraction: Double) -> String {
        String(format: "%.4f", fraction)
    }
}
