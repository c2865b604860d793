/// How a node's output channels relate to its input channels and weights, which structured
/// pruning follows to remove a channel everywhere it appears. The channel axis is axis 1 of
/// every activation (`[batch, channels, …]`, `[batch, features]`).
public enum ChannelCoupling: Hashable, Sendable {
    /// The node's weights create new output channels (Linear, convolution): output channel `c`
    /// is slice `c` of each `outputs` weight along its axis, and input channel `c` is slice `c`
    /// of each `inputs` weight along its axis. With `groups > 1` each output channel reads only
    /// its group's input channels.
    case producer(outputs: [WeightAxis], inputs: [WeightAxis], groups: Int)
    /// Output channel `c` is input channel `c` of every input (activations, pooling, BatchNorm,
    /// Add, Mul, depthwise convolution): channels of all inputs and the output are tied, and
    /// `perChannel` weights are sliced with them.
    case elementwise(perChannel: [WeightAxis])
    /// Concatenation along the channel axis: output channels are the inputs' channels in order.
    case concatenation
    /// `[batch, C, H, W]` → `[batch, C·H·W]`: input channel `c` becomes output features
    /// `c·H·W ..< (c+1)·H·W`.
    case flattening
    /// Anything else (reshape, transpose, softmax over channels): channels on either side are
    /// not removable through this node.
    case opaque
}

/// Axis `axis` of the node's weight named `weight`.
public struct WeightAxis: Hashable, Sendable {
    public var weight: String
    public var axis: Int

    public init(_ weight: String, axis: Int) {
        self.weight = weight
        self.axis = axis
    }
}
