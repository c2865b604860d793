/// How a channel's weights are reduced to one importance score.
public enum ChannelNorm: String, Codable, Hashable, Sendable, CaseIterable {
    /// `Σ |w|` (the default, as `StructuredPruner`).
    case l1
    /// `√(Σ w²)`.
    case l2
}
