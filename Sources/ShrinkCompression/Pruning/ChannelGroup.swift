/// A set of channels that structured pruning must remove together: `channelCount` channels,
/// channel `c` being output channel `c` of every producer in the group (several producers when
/// an element-wise node such as a residual Add ties their outputs), with every weight slice
/// and every value position that follows it.
public struct ChannelGroup: Hashable, Sendable {
    public var id: ChannelGroupID
    /// The number of channels (the same in every tied channel space).
    public var channelCount: Int
    /// The nodes creating the channels, in topological order.
    public var producers: [ChannelProducer]
    /// Every weight axis that loses positions with the channels: the producers' outputs, the
    /// readers' inputs and the per-channel weights of element-wise nodes, in topological order.
    public var slices: [ChannelWeightSlice]
    /// Every graph value carrying the channels on its axis 1, in topological order.
    public var appearances: [ChannelAppearance]
    /// Why the group cannot lose channels; empty when it can.
    public var obstacles: [ChannelGroupObstacle]

    public init(id: ChannelGroupID, channelCount: Int, producers: [ChannelProducer], slices: [ChannelWeightSlice],
                appearances: [ChannelAppearance], obstacles: [ChannelGroupObstacle]) {
        self.id = id
        self.channelCount = channelCount
        self.producers = producers
        self.slices = slices
        self.appearances = appearances
        self.obstacles = obstacles
    }

    /// Whether channels of this group may be removed: every channel comes from producers with
    /// groups 1, none reaches a graph output and no opaque node reads them.
    public var isPrunable: Bool { obstacles.isEmpty && !producers.isEmpty }

    /// Why the group is not prunable, in one line (nil when it is): `channels reach graph
    /// output 'logits'`.
    public var reason: String? {
        if let first = obstacles.first {
            return obstacles.dropFirst().reduce("channels \(first)") { "\($0); \($1)" }
        }
        return producers.isEmpty ? "no producer creates the channels" : nil
    }
}
