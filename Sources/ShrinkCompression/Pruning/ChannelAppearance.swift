/// Where a channel group's channels sit on axis 1 of a graph value: channel `c` covers
/// positions `offset + c·positionsPerChannel ..< offset + (c+1)·positionsPerChannel`
/// (a segment of a concatenation, the `H·W` features of a flattened channel).
public struct ChannelAppearance: Hashable, Sendable {
    /// The value's name.
    public var value: String
    public var offset: Int
    public var positionsPerChannel: Int

    public init(value: String, offset: Int = 0, positionsPerChannel: Int = 1) {
        self.value = value
        self.offset = offset
        self.positionsPerChannel = positionsPerChannel
    }

    /// The positions of axis 1 of `value` that channel `channel` covers.
    public func positions(ofChannel channel: Int) -> Range<Int> {
        (offset + channel * positionsPerChannel)..<(offset + (channel + 1) * positionsPerChannel)
    }
}
