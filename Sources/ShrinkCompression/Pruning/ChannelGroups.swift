import ShrinkNN

/// Finds the channel groups of a graph: the sets of channels structured pruning must remove
/// together, and which of them it may remove.
///
/// Channels are followed from their producers (Linear, convolution with groups 1) through
/// element-wise nodes (activations, pooling, BatchNorm, Add/Sub/Mul/Div, depthwise convolution),
/// which tie the channels of all their inputs and their output into one group; concatenations,
/// which place each input's channels at an offset of their output; and flattening, which turns
/// channel `c` of `[C, H, W]` into features `c·H·W ..< (c+1)·H·W`. A producer reading the
/// channels slices its `inputs` weight axes at the matching positions. Couplings are asked
/// with the node's input shapes (`Operator.channelCoupling(inputShapes:)`): a constant operand
/// that differs per channel is sliced with the channels. An element-wise input that does not
/// carry the output's channels one to one (broadcast along axis 1) blocks the channels of
/// every input (`misalignedChannels`).
public enum ChannelGroups {
    /// Every channel group of `resolved`, ordered by where its channels first appear.
    ///
    /// A group is prunable when all its channels come from producers with groups 1 (not from a
    /// graph input or an opaque node), none reaches a graph output, and no opaque or grouped
    /// node reads them; otherwise `obstacles` says why.
    public static func find(in resolved: ResolvedGraph) -> [ChannelGroup] {
        var analysis = ChannelFlowAnalysis(resolved)
        var groupIndex = [Int: Int]() // root space → index in `groups`
        var groups = [ChannelGroup]()
        for space in analysis.spaces.indices {
            let root = analysis.root(of: space)
            guard groupIndex[root] == nil else { continue }
            groupIndex[root] = groups.count
            groups.append(ChannelGroup(
                id: ChannelGroupID(analysis.spaces[root].origin), channelCount: analysis.spaces[root].count,
                producers: [], slices: [], appearances: [], obstacles: []))
        }
        for (space, producer) in analysis.producers {
            groups[groupIndex[analysis.root(of: space)]!].producers.append(producer)
        }
        for (space, slice) in analysis.slices {
            groups[groupIndex[analysis.root(of: space)]!].slices.append(slice)
        }
        for (space, appearance) in analysis.appearances {
            groups[groupIndex[analysis.root(of: space)]!].appearances.append(appearance)
        }
        for (space, obstacle) in analysis.obstacles {
            let index = groupIndex[analysis.root(of: space)]!
            if !groups[index].obstacles.contains(obstacle) { groups[index].obstacles.append(obstacle) }
        }
        return groups
    }
}
