/// Where the element codes go: one per element, or only the non-zero ones with relative positions.
public enum StorageLayout: Codable, Equatable, Sendable {
    /// Every element's code, in row-major order.
    case dense
    /// Relative-index sparse storage (Deep Compression §2): entries of a `gapBits`-bit gap
    /// (1...16) and a code; see `RelativeIndexing`.
    case sparse(gapBits: Int)

    /// The gap widths sparse storage accepts.
    public static let supportedGapBits: ClosedRange<Int> = 1...16
}
