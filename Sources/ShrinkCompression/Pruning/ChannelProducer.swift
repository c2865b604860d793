import ShrinkNN

/// A node whose weights create a channel group's channels (a Linear or a convolution with
/// groups 1): output channel `c` is slice `c` of each `outputs` weight along its axis.
public struct ChannelProducer: Hashable, Sendable {
    /// The node's name.
    public var node: String
    /// The node's op type (`Conv2D`).
    public var operatorType: String
    /// The weight axes indexed by the node's output channels.
    public var outputs: [WeightAxis]

    public init(node: String, operatorType: String, outputs: [WeightAxis]) {
        self.node = node
        self.operatorType = operatorType
        self.outputs = outputs
    }
}
