import ShrinkNN
import ShrinkTensor

/// The lifecycle of structured L1 pruning: `prepare(model:)` ranks every selected layer's output
/// units by the L1 norm of their weights and picks the ones to remove → `finalize()` replaces
/// `model.network` with the smaller network (the next weight layer's inputs shrink accordingly)
/// → `report()`.
public final class StructuredPruner {
    /// The decision for one layer.
    public struct LayerPlan: Equatable, Sendable {
        public var layer: String
        public var layerType: String
        /// Output units before pruning.
        public var units: Int
        /// The units that stay, ascending.
        public var kept: [Int]
        /// The L1 norm of every unit's weights (`Σ|w|` over its row or filter), by unit index.
        public var norms: [Double]
    }

    public let configuration: StructuredPruningConfiguration
    /// The layers losing units, in network order (empty before `prepare`).
    public private(set) var plans: [LayerPlan] = []
    /// Layers the settings selected but that keep their outputs (the final classifier).
    public private(set) var protectedLayers: [String] = []
    private var model: CompressedModel?
    private var selections: [String: TensorSelection] = [:]
    private var originalShapes: [String: [Int]] = [:]

    /// - Throws: `PruningError` when the configuration is invalid.
    public init(configuration: StructuredPruningConfiguration) throws(PruningError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The L1 norm of each output unit: rows of `[units, ...]` summed in absolute value.
    public static func unitNorms(of weight: Tensor) -> [Double] {
        let units = weight.shape[0]
        let size = units == 0 ? 0 : weight.count / units
        return weight.withUnsafeBufferPointer { values in
            (0..<units).map { unit in
                var sum = 0.0
                for index in unit * size..<(unit + 1) * size { sum += Double(abs(values[index])) }
                return sum
            }
        }
    }

    /// Picks the units to remove and validates that every layer keeps at least one.
    /// - Throws: `PruningError.noLayersSelected`, `.removesAllUnits`, `.unsupportedArchitecture`.
    public func prepare(model: CompressedModel) throws(PruningError) {
        if model.network.layers.contains(where: { $0 is Sequential }) {
            throw .unsupportedArchitecture(reason: "nested Sequential layers")
        }
        let weightLayers = model.weightLayers
        var plans: [LayerPlan] = []
        var protected: [String] = []
        for (position, (layer, weight)) in weightLayers.enumerated() {
            let layerType = layer.specification.typeName
            guard let fraction = configuration.layers.resolve(layerName: layer.name, layerType: layerType) else { continue }
            if position == weightLayers.count - 1 {
                protected.append(layer.name)
                continue
            }
            let norms = Self.unitNorms(of: weight.value)
            let units = norms.count
            let removed = min(units, Int((fraction * Double(units)).rounded()))
            guard removed < units else { throw .removesAllUnits(layer: layer.name, units: units, removed: removed) }
            let order = (0..<units).sorted { norms[$0] < norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
            let kept = order[removed...].sorted()
            plans.append(LayerPlan(layer: layer.name, layerType: layerType, units: units, kept: kept, norms: norms))
        }
        guard !plans.isEmpty || !protected.isEmpty else { throw .noLayersSelected }
        self.plans = plans
        self.protectedLayers = protected
        self.model = model
    }

    /// Replaces `model.network` with the smaller network holding the surviving weights.
    /// - Throws: `PruningError` when the smaller network cannot be built.
    public func finalize() throws(PruningError) {
        guard let model else { throw .notPrepared }
        originalShapes = Dictionary(uniqueKeysWithValues: model.network.parameters.map { ($0.name, $0.value.shape) })
        var keptOutputs = [String: [Int]]()
        for plan in plans where plan.kept.count < plan.units { keptOutputs[plan.layer] = plan.kept }
        selections = keptOutputs.isEmpty ? [:] : try NetworkSurgery.removeOutputs(keptOutputs: keptOutputs, from: model)
    }

    /// Per weight tensor that changed (or was selected): its new size and what happened.
    public func report() -> [LayerCompressionReport] {
        guard let model else { return [] }
        var reports: [LayerCompressionReport] = []
        for (layer, weight) in model.weightLayers {
            let plan = plans.first { $0.layer == layer.name }
            let changed = selections[weight.name] != nil
            guard plan != nil || changed || protectedLayers.contains(layer.name) else { continue }
            var notes: [String] = []
            if let plan {
                let unit = plan.layerType == "conv2d" ? "filters" : "units"
                notes.append("kept \(plan.kept.count) of \(plan.units) \(unit)")
            }
            if protectedLayers.contains(layer.name) { notes.append("final classifier: outputs kept") }
            if let columns = selections[weight.name]?.columns, let before = originalShapes[weight.name], before.count > 1 {
                notes.append("inputs \(before[1]) → \(columns.count)")
            }
            reports.append(LayerCompressionReport(
                parameter: weight.name, layerType: layer.specification.typeName, elements: weight.value.count,
                nonZero: MagnitudeMasking.nonZeroCount(of: weight.value), note: notes.joined(separator: ", ")))
        }
        return reports
    }
}
