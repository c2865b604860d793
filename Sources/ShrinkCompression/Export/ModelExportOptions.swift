/// How `CompressedModel.modelFile(options:metadata:)` stores compressed parameters.
public struct ModelExportOptions: Equatable, Sendable {
    /// Relative-index bits for sparse convolution weights (rank-4 tensors); Deep Compression
    /// uses 8.
    public var convolutionGapBits: Int
    /// Relative-index bits for other sparse tensors (fully connected weights); Deep Compression
    /// uses 5.
    public var linearGapBits: Int
    /// Whether sparse streams (gaps, palette indices, affine codes) are Huffman-coded when that
    /// is smaller.
    public var huffmanCoding: Bool

    /// Deep Compression's defaults: 8-bit gaps for convolutions, 5-bit for fully connected
    /// layers, Huffman coding on.
    public init(convolutionGapBits: Int = 8, linearGapBits: Int = 5, huffmanCoding: Bool = true) {
        self.convolutionGapBits = convolutionGapBits
        self.linearGapBits = linearGapBits
        self.huffmanCoding = huffmanCoding
    }
}
