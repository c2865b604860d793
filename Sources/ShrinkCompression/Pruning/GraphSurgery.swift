import ShrinkNN

/// Structured pruning on a graph: removes channels of channel groups everywhere they appear
/// (the producers' outputs, every reader's inputs through concatenations and flattening, the
/// per-channel weights of element-wise nodes) and re-creates every affected node at its new size.
public enum GraphSurgery {
    /// The smaller graph and, per weight that changes (full name, `conv1.weight`), how to cut
    /// the old tensor into the new one.
    ///
    /// `keptChannels[group]` lists, ascending, the channels of that group (see
    /// `ChannelGroups.find(in:)`) that stay; groups not listed, or keeping every channel, are
    /// unchanged. Every node whose input or output channels or weights change is re-created
    /// from `op.resizingChannels(input:output:inputShapes:)` with the same node and value names. The result
    /// is checked before it is returned: it validates against the registry of the graph's own op
    /// types, every value has its planned shape, and every sliced weight has the shape the new
    /// op declares.
    /// - Throws: `PruningError.unknownChannelGroup`, `.invalidKeptChannels`,
    ///   `.removesAllChannels`, `.channelGroupNotPrunable` for a bad plan;
    ///   `.channelWeightMismatch`, `.cannotResizeNode`, `.prunedGraphInvalid`,
    ///   `.prunedShapeMismatch`, `.prunedWeightShapeMismatch` when an op's coupling or resizing
    ///   is inconsistent.
    public static func removeChannels(
        keptChannels: [ChannelGroupID: [Int]], in resolved: ResolvedGraph
    ) throws(PruningError) -> (graph: Graph, selections: [String: WeightSlicing]) {
        let groups = ChannelGroups.find(in: resolved)
        let groupsByID = Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0) })
        var removedWeightPositions = [String: [Int: Set<Int>]]()
        var removedValuePositions = [String: Set<Int>]()
        for id in keptChannels.keys.sorted() {
            guard let group = groupsByID[id] else { throw .unknownChannelGroup(group: id.value) }
            let kept = keptChannels[id]!
            try check(kept: kept, of: group)
            guard kept.count < group.channelCount else { continue }
            guard group.isPrunable else {
                throw .channelGroupNotPrunable(group: id.value, reason: group.reason ?? "not prunable")
            }
            let removed = Set(0..<group.channelCount).subtracting(kept)
            for slice in group.slices {
                for channel in removed {
                    removedWeightPositions[slice.weightName, default: [:]][slice.axis, default: []]
                        .formUnion(slice.positions(ofChannel: channel))
                }
            }
            for appearance in group.appearances {
                for channel in removed {
                    removedValuePositions[appearance.value, default: []].formUnion(appearance.positions(ofChannel: channel))
                }
            }
        }
        let selections = try slicings(removedWeightPositions, in: resolved)

        /// A value's planned shape: axis 1 without its removed positions.
        func plannedShape(of value: String) -> ValueShape? {
            guard var shape = resolved.shapes[value] else { return nil }
            if let removed = removedValuePositions[value], let channels = shape[1].fixedValue {
                shape[1] = .fixed(channels - removed.count)
            }
            return shape
        }
        func plannedChannels(of value: String?) -> Int {
            guard let value, let shape = plannedShape(of: value), shape.rank >= 2 else { return 0 }
            return shape[1].fixedValue ?? 0
        }

        var graph = resolved.graph
        var operatorTypes = [String: any Operator.Type]()
        for (index, node) in resolved.graph.nodes.enumerated() {
            let op = resolved.operators[index]
            operatorTypes[op.typeName] = type(of: op)
            let changes = (node.inputs + node.outputs).contains { removedValuePositions[$0] != nil }
                || op.weights.contains { selections[node.weightName($0.name)] != nil }
            guard changes else { continue }
            guard let resized = op.resizingChannels(input: plannedChannels(of: node.inputs.first),
                                                    output: plannedChannels(of: node.outputs.first),
                                                    inputShapes: node.inputs.map { resolved.shapes[$0]! }) else {
                throw .cannotResizeNode(node: node.name, operatorType: node.operatorType)
            }
            operatorTypes[resized.typeName] = type(of: resized)
            graph.nodes[index] = Node(name: node.name, operatorType: resized.typeName, inputs: node.inputs,
                                      outputs: node.outputs, attributes: resized.attributes)
        }

        let pruned: ResolvedGraph
        do {
            pruned = try ResolvedGraph(graph, registry: OperatorRegistry(Array(operatorTypes.values)))
        } catch {
            throw .prunedGraphInvalid(reason: error.description)
        }
        for (value, shape) in pruned.shapes {
            let planned = plannedShape(of: value)
            guard planned == shape else {
                throw .prunedShapeMismatch(value: value, planned: planned?.description ?? "absent", inferred: shape.description)
            }
        }
        let oldWeights = Dictionary(resolved.weights.map { ($0.name, $0.declaration.shape) }, uniquingKeysWith: { first, _ in first })
        let newWeights = Dictionary(pruned.weights.map { ($0.name, $0.declaration.shape) }, uniquingKeysWith: { first, _ in first })
        for name in Set(oldWeights.keys).union(newWeights.keys).sorted() {
            let sliced = oldWeights[name].map { selections[name]?.slicedShape ?? $0 } ?? []
            let declared = newWeights[name] ?? []
            guard sliced == declared, oldWeights[name] != nil, newWeights[name] != nil else {
                throw .prunedWeightShapeMismatch(weight: name, declared: declared, sliced: sliced)
            }
        }
        return (graph, selections)
    }

    /// Throws unless `kept` is a non-empty ascending list of distinct channels of `group`.
    private static func check(kept: [Int], of group: ChannelGroup) throws(PruningError) {
        guard !kept.isEmpty else { throw .removesAllChannels(group: group.id.value, channels: group.channelCount) }
        if let bad = kept.first(where: { $0 < 0 || $0 >= group.channelCount }) {
            throw .invalidKeptChannels(group: group.id.value, reason: "channel \(bad) is not in 0..<\(group.channelCount)")
        }
        guard zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidKeptChannels(group: group.id.value, reason: "\(kept) is not ascending without repeats")
        }
    }

    /// The slicing of every weight losing positions, checked against its declared shape.
    private static func slicings(
        _ removedPositions: [String: [Int: Set<Int>]], in resolved: ResolvedGraph
    ) throws(PruningError) -> [String: WeightSlicing] {
        let declared = Dictionary(resolved.weights.map { ($0.name, $0.declaration.shape) }, uniquingKeysWith: { first, _ in first })
        var selections = [String: WeightSlicing]()
        for (name, axes) in removedPositions {
            guard let shape = declared[name] else {
                throw .channelWeightMismatch(weight: name, reason: "its node's channel coupling names it but the op declares no such weight")
            }
            var kept = [Int: [Int]]()
            for (axis, removed) in axes {
                guard axis < shape.count, let last = removed.max(), last < shape[axis] else {
                    throw .channelWeightMismatch(
                        weight: name, reason: "shape \(shape) has no position \(removed.max() ?? 0) on axis \(axis)")
                }
                kept[axis] = (0..<shape[axis]).filter { !removed.contains($0) }
            }
            selections[name] = WeightSlicing(originalShape: shape, keptIndices: kept)
        }
        return selections
    }
}
