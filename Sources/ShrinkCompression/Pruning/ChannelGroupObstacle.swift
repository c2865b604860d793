/// Why a channel group cannot lose channels (shown in pruning reports).
public enum ChannelGroupObstacle: Hashable, Sendable, CustomStringConvertible {
    /// The channels come from a graph input (the caller provides them).
    case graphInput(value: String)
    /// The channels reach a graph output (the caller reads them).
    case graphOutput(value: String)
    /// An op whose channels cannot change (`.opaque` coupling) produces or reads the channels.
    case opaqueNode(node: String, operatorType: String)
    /// A grouped convolution (groups > 1, other than depthwise) produces or reads the channels.
    case groupedProducer(node: String, groups: Int)
    /// An element-wise node combines inputs whose channels do not line up one to one
    /// (broadcast over channels, a concatenation added to a single tensor, …).
    case misalignedChannels(node: String)
    /// The value's channel axis is missing or not a fixed size.
    case unknownChannelCount(value: String)
    /// A node the channel analysis does not follow (several outputs, or channels read by a
    /// producer's second input).
    case unsupportedNode(node: String, reason: String)

    /// What happens to the channels, completing "channels …" (`reach graph output 'logits'`).
    public var description: String {
        switch self {
        case let .graphInput(value): "come from graph input '\(value)'"
        case let .graphOutput(value): "reach graph output '\(value)'"
        case let .opaqueNode(node, type): "pass through node '\(node)' (\(type)), whose channels cannot change"
        case let .groupedProducer(node, groups): "pass through grouped node '\(node)' (groups \(groups))"
        case let .misalignedChannels(node): "meet inputs that do not line up channel for channel at node '\(node)'"
        case let .unknownChannelCount(value): "pass through value '\(value)', which has no fixed channel axis"
        case let .unsupportedNode(node, reason): "pass through node '\(node)', which \(reason)"
        }
    }
}
