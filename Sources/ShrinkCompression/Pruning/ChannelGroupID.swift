/// Names a channel group: the value where its channels first appear in the graph (in
/// topological order), usually the output of its first producer (`conv1`). Stable for a given
/// graph, so plans made from `ChannelGroups.find(in:)` can be passed to `GraphSurgery`.
public struct ChannelGroupID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name of the value whose channels created the group.
    public var value: String

    public init(_ value: String) {
        self.value = value
    }

    public init(stringLiteral value: String) {
        self.value = value
    }

    public static func < (lhs: ChannelGroupID, rhs: ChannelGroupID) -> Bool { lhs.value < rhs.value }

    public var description: String { value }
}
