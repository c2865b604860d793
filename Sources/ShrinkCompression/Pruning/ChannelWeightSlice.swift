import ShrinkNN

/// One weight axis that follows a channel group: removing channel `c` of the group removes
/// positions `offset + c·positionsPerChannel ..< offset + (c+1)·positionsPerChannel` of axis
/// `axis` of weight `node.weight`.
///
/// `offset` is non-zero where the group is a segment of a concatenation; `positionsPerChannel`
/// is `H·W` where a flattened `[C, H, W]` activation feeds a Linear, else 1.
public struct ChannelWeightSlice: Hashable, Sendable {
    /// Why the weight follows the group.
    public enum Role: String, Hashable, Sendable {
        /// The weight creates the channels (a producer's `outputs` axis).
        case producerOutput
        /// The weight reads the channels (a producer's `inputs` axis).
        case consumerInput
        /// A per-channel weight of an element-wise node (BatchNorm's scale, a depthwise kernel).
        case perChannel
    }

    /// The node owning the weight.
    public var node: String
    /// The weight's name within the node (`weight`, `running_mean`).
    public var weight: String
    /// The weight axis the channels index.
    public var axis: Int
    /// The first position of channel 0 on `axis`.
    public var offset: Int
    /// How many consecutive positions of `axis` one channel covers.
    public var positionsPerChannel: Int
    public var role: Role
    /// The weight's declared role (`matrix`, `bias`, …).
    public var weightRole: WeightRole

    public init(node: String, weight: String, axis: Int, offset: Int = 0, positionsPerChannel: Int = 1,
                role: Role, weightRole: WeightRole) {
        self.node = node
        self.weight = weight
        self.axis = axis
        self.offset = offset
        self.positionsPerChannel = positionsPerChannel
        self.role = role
        self.weightRole = weightRole
    }

    /// The full weight name, `<node>.<weight>` (`conv1.weight`).
    public var weightName: String { "\(node).\(weight)" }

    /// The positions of `axis` that channel `channel` covers.
    public func positions(ofChannel channel: Int) -> Range<Int> {
        (offset + channel * positionsPerChannel)..<(offset + (channel + 1) * positionsPerChannel)
    }
}
