import ShrinkNN

/// Follows channels through a resolved graph: every value's axis 1 as a list of segments of
/// channel spaces, and a union-find over the spaces that element-wise nodes tie together.
/// `ChannelGroups.find(in:)` turns the result into `ChannelGroup`s.
///
/// A channel space is created by each producer output, each graph input and each output of a
/// node the analysis does not follow (opaque, grouped); the last two are blocked.
struct ChannelFlowAnalysis {
    /// A run of one space's channels on axis 1 of a value: `count` channels of
    /// `positionsPerChannel` consecutive positions each.
    struct Segment: Equatable {
        var space: Int
        var count: Int
        var positionsPerChannel: Int
    }

    /// One channel space: where it was created and how many channels it has.
    struct Space {
        var origin: String
        var count: Int
    }

    private(set) var spaces: [Space] = []
    /// What follows each space, in the order the nodes were visited (topological).
    private(set) var producers: [(space: Int, producer: ChannelProducer)] = []
    private(set) var slices: [(space: Int, slice: ChannelWeightSlice)] = []
    private(set) var appearances: [(space: Int, appearance: ChannelAppearance)] = []
    private(set) var obstacles: [(space: Int, obstacle: ChannelGroupObstacle)] = []
    /// The segments of axis 1 of every value with a fixed channel axis.
    private(set) var layouts: [String: [Segment]] = [:]
    private var parents: [Int] = []

    init(_ resolved: ResolvedGraph) {
        let graph = resolved.graph
        for input in graph.inputs {
            makeSource(for: input.name, shape: input.shape, obstacle: .graphInput(value: input.name))
        }
        for (index, node) in graph.nodes.enumerated() {
            visit(node, operator: resolved.operators[index], shapes: resolved.shapes)
        }
        for output in graph.outputs { block(output, .graphOutput(value: output)) }
    }

    /// The representative of `space`'s set.
    mutating func root(of space: Int) -> Int {
        var current = space
        while parents[current] != current {
            parents[current] = parents[parents[current]]
            current = parents[current]
        }
        return current
    }

    // MARK: Nodes

    private mutating func visit(_ node: Node, operator op: any Operator, shapes: [String: ValueShape]) {
        let coupling = op.channelCoupling(inputShapes: node.inputs.map { shapes[$0]! })
        if node.outputs.count != 1, coupling != .opaque {
            passOpaque(node, shapes: shapes,
                       obstacle: .unsupportedNode(node: node.name, reason: "has \(node.outputs.count) outputs"))
            return
        }
        switch coupling {
        case .opaque:
            passOpaque(node, shapes: shapes, obstacle: .opaqueNode(node: node.name, operatorType: node.operatorType))
        case let .producer(outputs, inputs, groups):
            guard groups == 1 else {
                passOpaque(node, shapes: shapes, obstacle: .groupedProducer(node: node.name, groups: groups))
                return
            }
            let weightRoles = Self.weightRoles(of: op)
            if let input = node.inputs.first {
                for (segment, offset) in segments(of: input) {
                    for axis in inputs {
                        record(ChannelWeightSlice(
                            node: node.name, weight: axis.weight, axis: axis.axis, offset: offset,
                            positionsPerChannel: segment.positionsPerChannel, role: .consumerInput,
                            weightRole: weightRoles[axis.weight] ?? .other), in: segment.space)
                    }
                }
            }
            for extra in node.inputs.dropFirst() {
                block(extra, .unsupportedNode(node: node.name, reason: "reads them as a second input"))
            }
            if let space = makeSource(for: node.outputs[0], shape: shapes[node.outputs[0]]!, obstacle: nil) {
                producers.append((space, ChannelProducer(node: node.name, operatorType: node.operatorType, outputs: outputs)))
                for axis in outputs {
                    record(ChannelWeightSlice(node: node.name, weight: axis.weight, axis: axis.axis, role: .producerOutput,
                                              weightRole: weightRoles[axis.weight] ?? .other), in: space)
                }
            }
        case let .elementwise(perChannel):
            let inputLayouts = node.inputs.map { layouts[$0] }
            guard let first = inputLayouts.first ?? nil, inputLayouts.allSatisfy({ $0 != nil }) else {
                let unknown = node.inputs.first { layouts[$0] == nil } ?? node.outputs[0]
                passOpaque(node, shapes: shapes, obstacle: .unknownChannelCount(value: unknown))
                return
            }
            // Every input carries the output's whole channel axis, run for run: an input
            // broadcast along the channels (`[batch, 1, H, W]` times `[batch, C, H, W]`, or a
            // constant spreading one channel over many) does not.
            let outputExtent = shapes[node.outputs[0]].flatMap { $0.rank >= 2 ? $0[1].fixedValue : nil }
            guard inputLayouts.allSatisfy({ Self.lineUp($0!, first) && Self.extent(of: $0!) == outputExtent }) else {
                passOpaque(node, shapes: shapes, obstacle: .misalignedChannels(node: node.name))
                return
            }
            for layout in inputLayouts.dropFirst() {
                for (lhs, rhs) in zip(first, layout!) { union(lhs.space, rhs.space) }
            }
            setLayout(of: node.outputs[0], first)
            let weightRoles = Self.weightRoles(of: op)
            for (segment, offset) in segments(of: node.outputs[0]) {
                for axis in perChannel {
                    record(ChannelWeightSlice(
                        node: node.name, weight: axis.weight, axis: axis.axis, offset: offset,
                        positionsPerChannel: segment.positionsPerChannel, role: .perChannel,
                        weightRole: weightRoles[axis.weight] ?? .other), in: segment.space)
                }
            }
        case .concatenation:
            if let missing = node.inputs.first(where: { layouts[$0] == nil }) {
                passOpaque(node, shapes: shapes, obstacle: .unknownChannelCount(value: missing))
                return
            }
            setLayout(of: node.outputs[0], node.inputs.flatMap { layouts[$0]! })
        case .flattening:
            guard let input = node.inputs.first, let layout = layouts[input],
                  let sample = shapes[input]?.sampleShape else {
                passOpaque(node, shapes: shapes, obstacle: .unknownChannelCount(value: node.inputs.first ?? node.outputs[0]))
                return
            }
            let plane = sample.dropFirst().reduce(1, *)
            setLayout(of: node.outputs[0], layout.map {
                Segment(space: $0.space, count: $0.count, positionsPerChannel: $0.positionsPerChannel * plane)
            })
        }
    }

    /// A node whose channels are not followed: its inputs' channels are blocked and each
    /// output gets a new blocked space.
    private mutating func passOpaque(_ node: Node, shapes: [String: ValueShape], obstacle: ChannelGroupObstacle) {
        for input in node.inputs { block(input, obstacle) }
        for output in node.outputs { makeSource(for: output, shape: shapes[output]!, obstacle: obstacle) }
    }

    /// The declared role of each of the op's weights, by name.
    private static func weightRoles(of op: any Operator) -> [String: WeightRole] {
        Dictionary(op.weights.map { ($0.name, $0.role) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether two layouts tie channel for channel: the same runs of the same sizes.
    private static func lineUp(_ lhs: [Segment], _ rhs: [Segment]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy {
            $0.count == $1.count && $0.positionsPerChannel == $1.positionsPerChannel
        }
    }

    /// The positions a layout covers on axis 1.
    private static func extent(of layout: [Segment]) -> Int {
        layout.reduce(0) { $0 + $1.count * $1.positionsPerChannel }
    }

    // MARK: Spaces and values

    /// A new space for `value`'s channels when its axis 1 has a fixed size; its index.
    @discardableResult
    private mutating func makeSource(for value: String, shape: ValueShape, obstacle: ChannelGroupObstacle?) -> Int? {
        guard shape.rank >= 2, let count = shape[1].fixedValue else { return nil }
        let space = spaces.count
        spaces.append(Space(origin: value, count: count))
        parents.append(space)
        if let obstacle { obstacles.append((space, obstacle)) }
        setLayout(of: value, [Segment(space: space, count: count, positionsPerChannel: 1)])
        return space
    }

    private mutating func setLayout(of value: String, _ layout: [Segment]) {
        layouts[value] = layout
        for (segment, offset) in segments(of: value) {
            appearances.append((segment.space, ChannelAppearance(
                value: value, offset: offset, positionsPerChannel: segment.positionsPerChannel)))
        }
    }

    /// Each segment of `value`'s layout with its first position on axis 1.
    private func segments(of value: String) -> [(segment: Segment, offset: Int)] {
        var offset = 0
        return (layouts[value] ?? []).map { segment in
            defer { offset += segment.count * segment.positionsPerChannel }
            return (segment, offset)
        }
    }

    private mutating func block(_ value: String, _ obstacle: ChannelGroupObstacle) {
        for segment in layouts[value] ?? [] { obstacles.append((segment.space, obstacle)) }
    }

    private mutating func record(_ slice: ChannelWeightSlice, in space: Int) {
        slices.append((space, slice))
    }

    private mutating func union(_ lhs: Int, _ rhs: Int) {
        let left = root(of: lhs), right = root(of: rhs)
        guard left != right else { return }
        // The earlier space stays the root, so a group is named after its first space.
        if left < right { parents[right] = left } else { parents[left] = right }
    }
}
