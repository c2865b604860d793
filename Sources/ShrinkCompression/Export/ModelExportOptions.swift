/// How `CompressedModel.modelFile(options:metadata:)` stores compressed parameters.
public struct ModelExportOptions: Equatable, Sendable {
    /// Relative-index bits for sparse convolution weights (rank-4 tensors); Deep Compression
    /// uses 8. The width used when `gapBitsCandidates` is nil, and the preferred one on ties.
    public var convolutionGapBits: Int
    /// Relative-index bits for other sparse tensors (fully connected weights); Deep Compression
    /// uses 5. The width used when `gapBitsCandidates` is nil, and the preferred one on ties.
    public var linearGapBits: Int
    /// Whether sparse streams (gaps, palette indices, affine codes) are Huffman-coded when that
    /// is smaller.
    public var huffmanCoding: Bool
    /// The gap widths tried per sparse tensor: each tensor keeps the width whose stored ranges
    /// (after Huffman coding, their total rounded up to the file's 64-byte range alignment) take the
    /// fewest bytes; ties go to the fewer unrounded bytes, then to the fixed width above, then to
    /// the narrower width. `nil` uses the fixed widths.
    public var gapBitsCandidates: ClosedRange<Int>?

    /// Deep Compression's widths (8-bit gaps for convolutions, 5-bit for fully connected layers)
    /// as preferences, every width in 2...12 tried per tensor, Huffman coding on.
    public init(
        convolutionGapBits: Int = 8, linearGapBits: Int = 5, huffmanCoding: Bool = true,
        gapBitsCandidates: ClosedRange<Int>? = 2...12
    ) {
        self.convolutionGapBits = convolutionGapBits
        self.linearGapBits = linearGapBits
        self.huffmanCoding = huffmanCoding
        self.gapBitsCandidates = gapBitsCandidates
    }
}
