import ShrinkNN
import ShrinkTensor

/// The lifecycle of structured L1 pruning on a graph: `prepare(model:)` finds the channel groups
/// (`ChannelGroups`: channels that must go together, such as both branches of a residual add),
/// ranks each selected group's channels by the L1 norm of its producers' weights and picks the
/// ones to remove → `finalize()` replaces `model.network` with the smaller network (every reader
/// of those channels shrinks with them) → `report()`.
///
/// A group is selected when the per-layer settings resolve for its producers (the smallest
/// fraction among them applies). Groups whose channels reach a graph output (the final
/// classifier), a graph input or an op that cannot follow them keep every channel; the report
/// says why.
public final class StructuredPruner {
    /// The decision for one channel group.
    public struct GroupPlan: Equatable, Sendable {
        /// The group, named after the value where its channels appear first.
        public var group: ChannelGroupID
        /// The nodes producing its channels (one, or several tied by element-wise nodes).
        public var producers: [String]
        /// The producers' op types.
        public var layerTypes: [String]
        /// Channels before pruning.
        public var units: Int
        /// The channels that stay, ascending.
        public var kept: [Int]
        /// Per channel, the summed L1 norm of its producers' weights.
        public var norms: [Double]
    }

    public let configuration: StructuredPruningConfiguration
    /// The groups losing channels, in graph order (empty before `prepare`).
    public private(set) var plans: [GroupPlan] = []
    /// Nodes the settings selected whose channels cannot be removed, with the reason.
    public private(set) var protectedLayers: [String: String] = [:]
    private var model: CompressedModel?
    private var selections: [String: WeightSlicing] = [:]
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

    /// Picks the channels to remove and validates that every group keeps at least one.
    /// - Throws: `PruningError.noLayersSelected`, `.removesAllUnits`.
    public func prepare(model: CompressedModel) throws(PruningError) {
        let graph = model.network.graph
        let typeOfNode = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0.operatorType) })
        let weights = model.network.namedTensors
        var plans: [GroupPlan] = []
        var protected: [String: String] = [:]
        var selectedAny = false
        for group in ChannelGroups.find(in: model.network.resolved) {
            let producers = group.producers.map(\.node)
            let fractions = producers.map { configuration.layers.resolve(layerName: $0, layerType: typeOfNode[$0] ?? "") }
            guard !producers.isEmpty, fractions.allSatisfy({ $0 != nil }) else { continue }
            selectedAny = true
            guard group.isPrunable else {
                for producer in producers { protected[producer] = group.reason ?? "its channels cannot be removed" }
                continue
            }
            let fraction = fractions.compactMap { $0 }.min()!
            let norms = try ChannelImportance.scores(of: group, weights: weights, norm: .l1)
            let units = group.channelCount
            let removed = min(units, Int((fraction * Double(units)).rounded()))
            guard removed < units else { throw .removesAllUnits(layer: producers.joined(separator: "+"), units: units, removed: removed) }
            plans.append(GroupPlan(
                group: group.id, producers: producers, layerTypes: producers.map { typeOfNode[$0] ?? "" }, units: units,
                kept: ChannelImportance.keptChannels(scores: norms, removing: removed), norms: norms))
        }
        guard selectedAny else { throw .noLayersSelected }
        self.plans = plans
        self.protectedLayers = protected
        self.model = model
    }

    /// Replaces `model.network` with the smaller network holding the surviving weights; masks
    /// are sliced like their tensors, quantization and palettes of sliced tensors are dropped
    /// (they no longer describe the tensor).
    /// - Throws: `PruningError` when the smaller network cannot be built.
    public func finalize() throws(PruningError) {
        guard let model else { throw .notPrepared }
        let old = model.network
        originalShapes = Dictionary(uniqueKeysWithValues: old.parameters.map { ($0.name, $0.value.shape) })
        var kept = [ChannelGroupID: [Int]]()
        for plan in plans where plan.kept.count < plan.units { kept[plan.group] = plan.kept }
        guard !kept.isEmpty else {
            selections = [:]
            return
        }
        let (graph, selections) = try GraphSurgery.removeChannels(keptChannels: kept, in: old.resolved)
        var tensors = [String: Tensor]()
        for parameter in old.parameters {
            tensors[parameter.name] = selections[parameter.name]?.apply(to: parameter.value) ?? parameter.value
        }
        let network: GraphNetwork
        do {
            network = try GraphNetwork(graph: graph, tensors: tensors)
        } catch {
            throw .rebuildFailed(reason: "\(error)")
        }
        for (name, selection) in selections {
            guard var state = model.parameterStates[name] else { continue }
            state.mask = state.mask.map { selection.apply(to: $0) }
            state.quantization = nil
            state.codes = nil
            state.palette = nil
            model.parameterStates[name] = state
        }
        model.network = network
        self.selections = selections
    }

    /// Per weight matrix that changed (or was selected): its new size and what happened.
    public func report() -> [LayerCompressionReport] {
        guard let model else { return [] }
        var reports: [LayerCompressionReport] = []
        for (layer, weight) in model.weightLayers {
            let plan = plans.first { $0.producers.contains(layer.name) }
            let changed = selections[weight.name] != nil
            guard plan != nil || changed || protectedLayers[layer.name] != nil else { continue }
            var notes: [String] = []
            if let plan {
                let unit = layer.typeName == Convolution2DOperator.typeName ? "filters" : "units"
                notes.append("kept \(plan.kept.count) of \(plan.units) \(unit)")
                if plan.producers.count > 1 { notes.append("tied with \(plan.producers.filter { $0 != layer.name }.joined(separator: ", "))") }
            }
            if let reason = protectedLayers[layer.name] { notes.append("outputs kept: \(reason)") }
            if let before = originalShapes[weight.name], before.count > 1, before[1] != weight.value.shape[1] {
                notes.append("inputs \(before[1]) → \(weight.value.shape[1])")
            }
            reports.append(LayerCompressionReport(
                parameter: weight.name, layerType: layer.typeName, elements: weight.value.count,
                nonZero: MagnitudeMasking.nonZeroCount(of: weight.value), note: notes.joined(separator: ", ")))
        }
        return reports
    }
}
